#include "msgtypes.h"

#include <string.h>

#include "intake.pb-c.h"

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
};

const ProtobufCMessageDescriptor *msgtypes_find(const char *type)
{
    for (size_t i = 0; i < sizeof s_types / sizeof *s_types; i++)
        if (strcmp(type, s_types[i].type) == 0)
            return s_types[i].desc;
    return NULL;
}
