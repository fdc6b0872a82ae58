/* msgtypes: the envelope's `type` names and the protobuf messages they carry,
 * so that generic code (govctl's event printer, the gateway) can decode any
 * payload. A new message type is added here once. */
#ifndef GOV_MSGTYPES_H
#define GOV_MSGTYPES_H

#include <protobuf-c/protobuf-c.h>

/* The descriptor for `type` ("SubmitCase", "CaseCreated" ...), or NULL. */
const ProtobufCMessageDescriptor *msgtypes_find(const char *type);

#endif
