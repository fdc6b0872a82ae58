/* msgtypes: the envelope's `type` names and the protobuf messages they carry,
 * so that generic code (govctl's event printer, the gateway) can decode any
 * payload. The table is generated from proto/ (tools/gen-msgtypes.py): every
 * message is a type of its own name, and a "// types: A B" comment above a
 * message names the other types it travels as. */
#ifndef GOV_MSGTYPES_H
#define GOV_MSGTYPES_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>

/* The descriptor for `type` ("SubmitCase", "CaseCreated" ...), or NULL
 * (also for a NULL type). */
const ProtobufCMessageDescriptor *msgtypes_find(const char *type);

/* How many types there are, and the name of the `i`th (NULL past the end):
 * for code that walks them all (the fuzzers). */
size_t msgtypes_count(void);
const char *msgtypes_name(size_t i);

#endif
