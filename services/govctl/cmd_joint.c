/* govctl joint ...: a community's joint meetings (联席会议) on recurring days,
 * through deliberation (joint.c). */
#include <stdlib.h>
#include <string.h>

#include "deliberation.pb-c.h"
#include "govctl.h"

static const char *s_usage =
    "usage: govctl joint [--as PERSON --unit UNIT] COMMAND\n"
    "  schedule COMMUNITY --title T --rule R [--at HH:MM] [--lead MINUTES]\n"
    "                        the party committee sets a recurring joint meeting; R is\n"
    "                        'monthly N WEEKDAY [next|keep|skip]' (N 1..4 or last) or\n"
    "                        'weekly WEEKDAY [...]': 'monthly 1 wed' is the first Wednesday,\n"
    "                        moved to the next working day off a holiday (default 09:00, lead 0)\n"
    "  stop SCHEDULE         the party committee stops a schedule\n"
    "  attend MEETING        your unit (a member unit, 委员单位) came\n"
    "  decide MEETING --text T [--unit-for UNIT]   the party committee records a decision\n"
    "  close MEETING         the party committee closes it\n"
    "  show MEETING | list COMMUNITY\n"
    "--as names who acts (default: GOV_ACTOR), --unit the unit they act for.\n";

/* "HH:MM" as minutes of the day, or -1. */
static int s_minutes(const char *t)
{
    if (!t || strlen(t) != 5 || t[2] != ':')
        return -1;
    for (int i = 0; i < 5; i++)
        if (i != 2 && (t[i] < '0' || t[i] > '9'))
            return -1;
    int h = (t[0] - '0') * 10 + t[1] - '0', m = (t[3] - '0') * 10 + t[4] - '0';
    return h < 24 && m < 60 ? h * 60 + m : -1;
}

int cmd_joint(int argc, char **argv)
{
    int rc;
    if (!govctl_group_args(&argc, &argv, s_usage, 2, &rc))
        return rc;
    const char *cmd = argv[0];
    if (strcmp(cmd, "schedule") == 0) {
        Gov__ScheduleJointMeeting m = GOV__SCHEDULE_JOINT_MEETING__INIT;
        const char *at = govctl_opt(argc, argv, "--at"), *lead = govctl_opt(argc, argv, "--lead");
        m.community = argv[1];
        m.title = (char *) govctl_opt(argc, argv, "--title");
        m.rule = (char *) govctl_opt(argc, argv, "--rule");
        m.start_minute = at ? s_minutes(at) : 540;
        m.lead_minutes = lead ? (int32_t) govctl_parse_int(lead) : 0;
        if (!m.title || !m.rule || m.start_minute < 0)
            return govctl_usage(s_usage, 0);
        return govctl_call("deliberation", "ScheduleJointMeeting", &m.base, NULL);
    }
    if (strcmp(cmd, "list") == 0) {
        Gov__ListJointMeetings m = GOV__LIST_JOINT_MEETINGS__INIT;
        m.community = argv[1];
        return govctl_call("deliberation", "ListJointMeetings", &m.base, NULL);
    }
    long long id = govctl_parse_int(argv[1]);
    if (id <= 0)
        return govctl_usage(s_usage, 0);
    if (strcmp(cmd, "stop") == 0) {
        Gov__StopJointSchedule m = GOV__STOP_JOINT_SCHEDULE__INIT;
        m.schedule_id = id;
        return govctl_call("deliberation", "StopJointSchedule", &m.base, NULL);
    }
    if (strcmp(cmd, "show") == 0) {
        Gov__GetJointMeeting m = GOV__GET_JOINT_MEETING__INIT;
        m.meeting_id = id;
        return govctl_call("deliberation", "GetJointMeeting", &m.base, NULL);
    }
    if (strcmp(cmd, "attend") == 0) {
        Gov__AttendJointMeeting m = GOV__ATTEND_JOINT_MEETING__INIT;
        m.meeting_id = id;
        return govctl_call("deliberation", "AttendJointMeeting", &m.base, NULL);
    }
    if (strcmp(cmd, "decide") == 0 && govctl_opt(argc, argv, "--text")) {
        Gov__DecideJointMeeting m = GOV__DECIDE_JOINT_MEETING__INIT;
        m.meeting_id = id;
        m.text = (char *) govctl_opt(argc, argv, "--text");
        m.unit = (char *) govctl_opt(argc, argv, "--unit-for");
        return govctl_call("deliberation", "DecideJointMeeting", &m.base, NULL);
    }
    if (strcmp(cmd, "close") == 0) {
        Gov__CloseJointMeeting m = GOV__CLOSE_JOINT_MEETING__INIT;
        m.meeting_id = id;
        return govctl_call("deliberation", "CloseJointMeeting", &m.base, NULL);
    }
    return govctl_usage(s_usage, 0);
}
