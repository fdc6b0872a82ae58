#include "msgtypes.h"

#include <string.h>

#include "intake.pb-c.h"
#include "routing.pb-c.h"

static const struct {
    const char *type;
    const ProtobufCMessageDescriptor *desc;
} s_types[] = {
    {"SubmitCase", &gov__submit_case__descriptor},
    {"SubmitCaseReply", &gov__submit_case_reply__descriptor},
    {"GetCase", &gov__get_case__descriptor},
    {"GetCaseReply", &gov__get_case_reply__descriptor},
    {"ListCases", &gov__list_cases__descriptor},
    {"ListCasesReply", &gov__list_cases_reply__descriptor},
    {"CaseCreated", &gov__case_created__descriptor},
    {"CaseMerged", &gov__case_merged__descriptor},
    {"SignDispatch", &gov__sign_dispatch__descriptor},
    {"ArriveDispatch", &gov__arrive_dispatch__descriptor},
    {"ProgressDispatch", &gov__progress_dispatch__descriptor},
    {"ResolveDispatch", &gov__resolve_dispatch__descriptor},
    {"ReturnDispatch", &gov__return_dispatch__descriptor},
    {"ReassignDispatch", &gov__reassign_dispatch__descriptor},
    {"ReleaseDispatch", &gov__release_dispatch__descriptor},
    {"DispatchReply", &gov__dispatch_reply__descriptor},
    {"GetDispatch", &gov__get_dispatch__descriptor},
    {"GetDispatchReply", &gov__dispatch_reply__descriptor},
    {"ListDispatches", &gov__list_dispatches__descriptor},
    {"ListDispatchesReply", &gov__list_dispatches_reply__descriptor},
    {"BlowWhistle", &gov__blow_whistle__descriptor},
    {"GetWhistle", &gov__get_whistle__descriptor},
    {"WhistleReply", &gov__whistle_reply__descriptor},
    {"RateWhistle", &gov__rate_whistle__descriptor},
    {"RateWhistleReply", &gov__rate_whistle_reply__descriptor},
    {"EvaluateCase", &gov__evaluate_case__descriptor},
    {"EvaluateCaseReply", &gov__evaluate_case_reply__descriptor},
    {"GetKpi", &gov__get_kpi__descriptor},
    {"GetKpiReply", &gov__get_kpi_reply__descriptor},
    {"RankKpi", &gov__rank_kpi__descriptor},
    {"RankKpiReply", &gov__rank_kpi_reply__descriptor},
    {"AdvanceClock", &gov__advance_clock__descriptor},
    {"AdvanceClockReply", &gov__advance_clock_reply__descriptor},
    {"DispatchSent", &gov__dispatch_event__descriptor},
    {"DispatchSigned", &gov__dispatch_event__descriptor},
    {"DispatchContacted", &gov__dispatch_event__descriptor},
    {"DispatchArrived", &gov__dispatch_event__descriptor},
    {"DispatchProgress", &gov__dispatch_event__descriptor},
    {"DispatchResolved", &gov__dispatch_event__descriptor},
    {"DispatchReturned", &gov__dispatch_event__descriptor},
    {"DispatchReassigned", &gov__dispatch_event__descriptor},
    {"DispatchReleased", &gov__dispatch_event__descriptor},
    {"DeadlineReminder", &gov__deadline_step__descriptor},
    {"DeadlineEscalated", &gov__deadline_step__descriptor},
    {"WhistleBlown", &gov__whistle_event__descriptor},
    {"WhistleClosed", &gov__whistle_event__descriptor},
    {"EvaluationRequested", &gov__case_evaluation__descriptor},
    {"CaseEvaluated", &gov__case_evaluation__descriptor},
};

const ProtobufCMessageDescriptor *msgtypes_find(const char *type)
{
    for (size_t i = 0; i < sizeof s_types / sizeof *s_types; i++)
        if (strcmp(type, s_types[i].type) == 0)
            return s_types[i].desc;
    return NULL;
}
