#!/usr/bin/env python3
"""Writes docs/openapi.yaml, the OpenAPI 3.0 description of the gateway's
/api/v1/, from the route table in services/gateway/api.c and proto/*.proto.

Each route of api.c's table names a request type; the request's message (by
the protos' `// types:` aliases, as tools/gen-msgtypes.py reads them) gives
the query arguments of a GET and the body of a POST, and the reply's message
gives the answer. Schemas follow common/pbjson.c: field names as in the
.proto, 64-bit integers as JSON integers, bytes as hex, repeated fields as
arrays, messages as objects (null when absent). An answer prints every field,
so a reply's schema requires them all and allows no other; a request's
allows any subset, null meaning the field's default, and no unknown field.

Which reply a request gets is the service's choice (rpcsrv_reply); REPLIES
below lists those that are not "<Request>Reply". tests/cli/test_api_matrix.sh
checks every answer it gets against the result.

usage: gen-openapi.py OUT.yaml API.c PROTO...
   (make openapi: docs/openapi.yaml from services/gateway/api.c and proto/)
"""
import json
import re
import sys

# Request type -> reply type, where it is not "<Request>Reply".
REPLIES = {
    'SignDispatch': 'DispatchReply', 'ArriveDispatch': 'DispatchReply',
    'ProgressDispatch': 'DispatchReply', 'ResolveDispatch': 'DispatchReply',
    'ReturnDispatch': 'DispatchReply', 'ReassignDispatch': 'DispatchReply',
    'ReleaseDispatch': 'DispatchReply', 'PassUpDispatch': 'DispatchReply',
    'BlowWhistle': 'WhistleReply', 'GetWhistle': 'WhistleReply',
    'ProposeMatter': 'MatterReply', 'GetMatter': 'MatterReply', 'AmendMatter': 'MatterReply',
    'CosignMatter': 'MatterReply', 'AcceptMatter': 'MatterReply',
    'DeclineMatter': 'MatterReply', 'OpineMatter': 'MatterReply',
    'ConveneMeeting': 'MatterReply', 'AttendMeeting': 'MatterReply',
    'CloseMeeting': 'MatterReply', 'PublishDecision': 'MatterReply',
    'ObjectMatter': 'MatterReply', 'ActMatter': 'MatterReply',
    'ProgressMatter': 'MatterReply', 'EvaluateMatter': 'MatterReply',
    'ObserveMatter': 'MatterReply',
    'FlagMatter': 'MatterReply', 'AnswerFlag': 'MatterReply', 'AnswerObjection': 'MatterReply',
    'ReviewMatter': 'MatterReply', 'RateExecution': 'MatterReply', 'GetCouncil': 'CouncilReply',
    'AssignTask': 'MatterReply', 'ReportTask': 'MatterReply', 'CheckTask': 'MatterReply',
    'GetLists': 'ListsReply', 'AddNeed': 'ListsReply', 'AddResource': 'ListsReply',
    'ClaimNeed': 'ListsReply', 'SignProject': 'ListsReply', 'CompleteProject': 'ListsReply',
    'RegisterVolunteer': 'VolunteerReply',
    'OrderService': 'OrderReply', 'GetOrder': 'OrderReply', 'ClaimOrder': 'OrderReply',
    'CompleteOrder': 'OrderReply',
    'CreatePerson': 'PersonReply', 'UpdatePerson': 'PersonReply',
    'CreateUnit': 'UnitReply', 'UpdateUnit': 'UnitReply', 'AddMember': 'UnitReply',
    'RemoveMember': 'UnitReply',
    'DispatchOrder': 'OrderReply', 'ConfirmOrder': 'OrderReply', 'PublishOrder': 'OrderReply',
    'TakeResource': 'ListsReply', 'PairUnit': 'ListPairingsReply', 'UnpairUnit': 'ListPairingsReply',
    'ReportMember': 'ListPairingsReply', 'SetDutyZone': 'ListPairingsReply',
    'GetJointMeeting': 'JointMeetingReply', 'AttendJointMeeting': 'JointMeetingReply',
    'DecideJointMeeting': 'JointMeetingReply', 'CloseJointMeeting': 'JointMeetingReply',
    'ScheduleJointMeeting': 'JointScheduleReply', 'StopJointSchedule': 'JointScheduleReply',
}

SERVICES = {'GW_INTAKE': 'intake', 'GW_ROUTING': 'routing', 'GW_DELIBERATION': 'deliberation'}

INTEGERS = {
    'int32': {'type': 'integer', 'format': 'int32'},
    'sint32': {'type': 'integer', 'format': 'int32'},
    'sfixed32': {'type': 'integer', 'format': 'int32'},
    'uint32': {'type': 'integer', 'minimum': 0, 'maximum': 4294967295},
    'fixed32': {'type': 'integer', 'minimum': 0, 'maximum': 4294967295},
    'int64': {'type': 'integer', 'format': 'int64'},
    'sint64': {'type': 'integer', 'format': 'int64'},
    'sfixed64': {'type': 'integer', 'format': 'int64'},
}


# --- reading the protos and the route table ---------------------------------

class Message:
    def __init__(self, name, doc):
        self.name, self.doc, self.fields = name, doc, []


def read_protos(paths):
    """Messages by name, enums by name, and the type -> message table."""
    messages, enums, types = {}, {}, {}
    for path in paths:
        aliases, pending, current, enum = [], [], None, None
        for line in open(path, encoding='utf-8'):
            code, _, comment = line.partition('//')
            comment = comment.strip()
            m = re.match(r'\s*//\s*types:\s*(.*)$', line)
            if m:
                aliases += m.group(1).split()
                continue
            if not code.strip():
                if comment and not comment.startswith(('types:', '---')):  # not a section's title
                    pending.append(comment)
                else:
                    pending = []
                continue
            opens = re.search(r'message\s+\w+\s*\{', code)
            for token in re.findall(r'message\s+\w+\s*\{|enum\s+\w+\s*\{|[^;{}]+;|\}', code):
                token = token.strip()
                m = re.match(r'message\s+(\w+)', token)
                if m:
                    if current is not None:
                        sys.exit('%s: message %s: nested messages are not read' % (path, m.group(1)))
                    name = m.group(1)
                    current = messages[name] = Message(name, ' '.join(pending))
                    for t in [name] + aliases:
                        types[t] = name
                    aliases, pending = [], []
                    continue
                m = re.match(r'enum\s+(\w+)', token)
                if m:
                    enum = enums[m.group(1)] = []
                    continue
                if token == '}':
                    if enum is not None:
                        enum = None
                    elif current is not None:
                        if comment and opens:  # a one-line message's comment
                            current.doc = (current.doc + ' ' + comment).strip()
                        current = None
                    continue
                if enum is not None:
                    m = re.match(r'(\w+)\s*=\s*(-?\d+)\s*;', token)
                    if m:
                        enum.append(m.group(1))
                    continue
                if current is None or token.startswith(('reserved', 'option', 'syntax',
                                                        'package', 'import')):
                    continue
                m = re.match(r'(repeated\s+|optional\s+)?([\w.]+)\s+(\w+)\s*=\s*(\d+)\s*;', token)
                if not m:
                    sys.exit('%s: cannot read "%s"' % (path, token))
                doc = ' '.join(pending)
                if comment and len(re.findall(';', code)) == 1 and not opens:
                    doc = (doc + ' ' + comment).strip()
                label = (m.group(1) or '').strip()
                current.fields.append({'name': m.group(3), 'type': m.group(2),
                                       'repeated': label == 'repeated',
                                       'optional': label == 'optional', 'doc': doc})
                pending = []
            if code.strip() and current is None:
                pending = []
            if current is None and not opens:
                aliases = []
    return messages, enums, types


def read_routes(path):
    """The route table of api.c: (method, path, service, type, id field)."""
    text = open(path, encoding='utf-8').read()
    table = re.search(r's_routes\[\]\s*=\s*\{(.*?)\n\};', text, re.S)
    if not table:
        sys.exit('%s: no s_routes table' % path)
    routes = re.findall(r'(POST|GET)\("([^"]+)",\s*(GW_\w+),\s*"(\w+)",\s*(NULL|"\w+")\)',
                        table.group(1))
    if not routes:
        sys.exit('%s: no routes in s_routes' % path)
    return [(m, p, SERVICES[s], t, None if f == 'NULL' else f.strip('"'))
            for m, p, s, t, f in routes]


# --- schemas -----------------------------------------------------------------

class Schemas:
    """Component schemas: "Name" for a message as answers print it, and
    "NameInput" for a message as a request may give it."""

    def __init__(self, messages, enums):
        self.messages, self.enums, self.out = messages, enums, {}

    def ref(self, name, output):
        key = name if output else name + 'Input'
        if key not in self.out:
            self.out[key] = None  # reserved: recursion ends here
            self.out[key] = self.message(self.messages[name], output)
        return {'$ref': '#/components/schemas/' + key}

    def value(self, field, output):
        t = field['type'].split('.')[-1]
        if t in INTEGERS:
            return dict(INTEGERS[t])
        if t in ('uint64', 'fixed64'):
            return {'oneOf': [{'type': 'integer', 'minimum': 0},
                              {'type': 'string', 'pattern': '^[0-9]+$',
                               'description': 'above 2^63-1, as a decimal string'}]}
        if t in ('double', 'float'):
            return {'type': 'number', 'format': t}
        if t == 'bool':
            return {'type': 'boolean'}
        if t == 'string':
            return {'type': 'string'}
        if t == 'bytes':
            return {'type': 'string', 'format': 'hex',
                    'pattern': '^([0-9a-f]{2})*$' if output else '^([0-9a-fA-F]{2})*$'}
        if t in self.enums:
            names = {'type': 'string', 'enum': list(self.enums[t])}
            return names if output else {'oneOf': [names, {'type': 'integer'}]}
        if t in self.messages:
            return self.ref(t, output)
        sys.exit('unknown field type %s' % field['type'])

    def field(self, field, output):
        v = self.value(field, output)
        if field['repeated']:
            v = {'type': 'array', 'items': v}
            if not output:
                v['maxItems'] = 10000
        elif '$ref' in v:
            # An absent message prints as null, and null leaves a request's default.
            v = {'allOf': [v], 'nullable': True}
        elif not output or field['optional']:
            v['nullable'] = True  # a proto3 `optional` not set prints as null
        if field['doc']:
            v = dict(v, description=field['doc'])
        return v

    def message(self, msg, output):
        s = {'type': 'object'}
        if msg.doc:
            s['description'] = msg.doc
        s['additionalProperties'] = False
        if output and msg.fields:
            s['required'] = [f['name'] for f in msg.fields]
        s['properties'] = {f['name']: self.field(f, output) for f in msg.fields}
        return s


ERROR = {
    'type': 'object',
    'description': 'A refusal: the code is stable, for programs (docs/errcodes.md, govctl '
                   'errcodes); message, detail and hint are for people.',
    'additionalProperties': False,
    'required': ['error'],
    'properties': {'error': {
        'type': 'object',
        'additionalProperties': False,
        'required': ['code', 'message', 'detail', 'hint'],
        'properties': {
            'code': {'type': 'string', 'pattern': '^[A-Z][A-Z0-9_]*$'},
            'message': {'type': 'string'},
            'detail': {'type': 'string'},
            'hint': {'type': 'string'},
        }}},
}

UNIT = {
    'type': 'object', 'additionalProperties': False, 'required': ['code', 'kind', 'role'],
    'properties': {
        'code': {'type': 'string'},
        'kind': {'type': 'string', 'description': 'grid_team, community, supervision, '
                 'street_office, department, dispatch_centre, leadership or admin'},
        'role': {'type': 'string', 'description': "the member's role in the unit "
                 '(head, grid_worker, dispatcher ...)'},
    },
}


def me_schema(csrf_required):
    props = {
        'person': {'type': 'string', 'description': "the person's code"},
        'name': {'type': 'string'},
        'units': {'type': 'array', 'items': {'$ref': '#/components/schemas/MyUnit'},
                  'description': 'the units the person belongs to (at most 8)'},
        'resident': {'type': 'boolean'},
        'csrf_token': {'type': 'string', 'description': 'send it as X-CSRF-Token with every '
                       'request that is not a GET; only for a session (cookie), not a token'},
    }
    required = ['person', 'name', 'units', 'resident'] + (['csrf_token'] if csrf_required else [])
    return {'type': 'object', 'additionalProperties': False, 'required': required,
            'properties': props}


RESPONSES = {
    'BadRequest': ('The request does not fit: BAD_JSON (an unknown field, a wrong type or '
                   'range, naming the field; a body that is not an object; a path id the body '
                   'contradicts), BAD_IDEMPOTENCY_KEY, or the service refused it (class R).'),
    'Unauthenticated': ('UNAUTHENTICATED: no session cookie or API token, or one that expired '
                        'or was revoked (looked up on every request). BAD_CREDENTIALS for a '
                        'login: the same answer for an unknown person, a wrong password and a '
                        'wrong, used, expired or dead one-time code.'),
    'Forbidden': ('CSRF_REQUIRED (a cookie without its X-CSRF-Token on a request that is not '
                  'a GET; nothing ran), NOT_YOUR_UNIT (X-Gov-Unit), or the service refused '
                  "the actor (NOT_…, OUTSIDE_SCOPE, NO_ACTOR …)."),
    'NotFound': ('NOT_FOUND: no such thing, or another unit\'s dispatch or whistle '
                 '(NOT_YOUR_DISPATCH and NOT_YOUR_WHISTLE answer as NOT_FOUND, so guessing '
                 'ids tells nothing).'),
    'Conflict': ('IDEMPOTENCY_CONFLICT (the Idempotency-Key was used with another body), '
                 'or the thing is not in a state that allows this (class S).'),
    'TooLarge': 'BODY_TOO_LARGE: the body is larger than GOV_GATEWAY_MAX_BODY (64 KiB).',
    'RateLimited': ('RATE_LIMITED: too many logins or codes from this address or for this '
                    'person (GOV_GATEWAY_LOGINS_PER_MIN); wait as long as Retry-After says.'),
    'Unavailable': ('Transient, nothing changed (class T): DB_UNAVAILABLE, SERVICE_TIMEOUT '
                    '(with Retry-After), INTERNAL. Retry with the same Idempotency-Key.'),
    'NoRoute': ('NO_ROUTE: 404 for a path the gateway does not have, 405 for a method a '
                'path does not have. Not listed under each operation: it is never the '
                'answer to one.'),
}
STATUS_RESPONSE = {'400': 'BadRequest', '401': 'Unauthenticated', '403': 'Forbidden',
                   '404': 'NotFound', '409': 'Conflict', '413': 'TooLarge',
                   '429': 'RateLimited', '503': 'Unavailable'}


def refusals(*statuses):
    return {s: {'$ref': '#/components/responses/' + STATUS_RESPONSE[s]} for s in statuses}


def json_content(ref):
    return {'application/json': {'schema': {'$ref': '#/components/schemas/' + ref}}}


DESCRIPTION = """\
The gateway's JSON API (docs/gateway.md): people and integrations act through
it as themselves; the owning service decides what they may do.

Generated by tools/gen-openapi.py from the route table in
services/gateway/api.c and proto/*.proto (`make openapi`); do not edit by
hand. Each route is one request type of a service: a GET's query arguments
and a POST's JSON body become that request's protobuf message, field names
as in proto/, strictly (an unknown field, a wrong type or an out-of-range
number is 400 BAD_JSON naming the field; null or an absent field leaves its
default; a 64-bit integer may also be given as a decimal string). A path's
{id} fills the request field its route names; a body that gives another
value for it is refused. The answer is the service's reply message as JSON
with every field present, defaults included, and null for an absent
message.

Authentication: the session cookie from POST /api/v1/session, with its
X-CSRF-Token on every request that is not a GET, or an API token
(`govctl token create`) as Authorization: Bearer, which needs no CSRF
token. A person in several units names the one they act for with
X-Gov-Unit.

Refusals are {"error": {"code", "message", "detail", "hint"}}. A path the
gateway does not have is 404 NO_ROUTE; a method a path does not have is 405
NO_ROUTE (for /api/v1/session and /api/v1/me, after the credentials are
checked)."""


def build(routes, messages, enums, types):
    schemas = Schemas(messages, enums)
    for t in ['Error', 'MyUnit', 'Me', 'Session']:
        schemas.out[t] = None
    params = {
        'id': {'name': 'id', 'in': 'path', 'required': True,
               'description': 'the id the route names (a positive integer)',
               'schema': {'type': 'integer', 'format': 'int64', 'minimum': 1}},
        'IdempotencyKey': {'name': 'Idempotency-Key', 'in': 'header', 'required': False,
                           'description': 'makes a retried POST act once and get the first '
                           'answer; the same key with another body is 409 '
                           'IDEMPOTENCY_CONFLICT. Without it every POST is new.',
                           'schema': {'type': 'string', 'pattern': '^[A-Za-z0-9._:-]{1,200}$'}},
        'XGovUnit': {'name': 'X-Gov-Unit', 'in': 'header', 'required': False,
                 'description': 'the unit the person acts for, when they belong to several '
                 '(one they do not belong to: 403 NOT_YOUR_UNIT)',
                 'schema': {'type': 'string'}},
    }
    read_security = [{'session': []}, {'bearer': []}]
    write_security = [{'session': [], 'csrf': []}, {'bearer': []}]
    paths = {
        '/api/v1/session': {
            'post': {
                'operationId': 'login', 'tags': ['session'],
                'summary': 'log in with a password or a one-time code',
                'description': 'Sets the cookie gov_session (HttpOnly, SameSite=Strict, Path=/, '
                'Max-Age GOV_GATEWAY_SESSION_S). A password goes with the person\'s code; a '
                'one-time code (POST /api/v1/session/code) with the person\'s code or phone '
                'number. A code works once, until it expires (GOV_GATEWAY_LOGIN_CODE_S), and '
                'not after 5 tries. A wrong password or code, a used, expired or dead code and '
                'an unknown person all get the same 401 BAD_CREDENTIALS. Other fields are '
                'ignored.',
                'security': [],
                'requestBody': {'required': True, 'content': {'application/json': {'schema': {
                    'oneOf': [
                        {'type': 'object', 'required': ['person', 'password'],
                         'not': {'required': ['phone']},
                         'properties': {
                             'person': {'type': 'string', 'description': "the person's code"},
                             'password': {'type': 'string', 'description': '10 to 256 '
                                          'bytes, as govctl person passwd set it'}}},
                        {'type': 'object', 'required': ['person', 'code'],
                         'not': {'anyOf': [{'required': ['password']}, {'required': ['phone']}]},
                         'properties': {
                             'person': {'type': 'string', 'description': "the person's code"},
                             'code': {'type': 'string', 'pattern': '^[0-9]{6}$',
                                      'description': 'the one-time code the SMS said'}}},
                        {'type': 'object', 'required': ['phone', 'code'],
                         'not': {'anyOf': [{'required': ['password']}, {'required': ['person']}]},
                         'properties': {
                             'phone': {'type': 'string', 'description': 'the phone number on '
                                       'file, which must be this person\'s alone'},
                             'code': {'type': 'string', 'pattern': '^[0-9]{6}$',
                                      'description': 'the one-time code the SMS said'}}}]}}}},
                'responses': dict({'200': {
                    'description': 'the person, their units and the CSRF token',
                    'headers': {'Set-Cookie': {'description': 'gov_session=…; Path=/; '
                                               'HttpOnly; SameSite=Strict; Max-Age=…',
                                               'schema': {'type': 'string'}}},
                    'content': json_content('Session')}},
                    **refusals('400', '401', '413', '429', '503')),
            },
            'delete': {
                'operationId': 'logout', 'tags': ['session'], 'summary': 'end the session',
                'description': 'Revokes the session and clears the cookie. With an API token '
                'nothing ends (ended: false); `govctl token revoke` does that.',
                'security': write_security,
                'responses': dict({'200': {
                    'description': 'whether a session ended',
                    'content': {'application/json': {'schema': {
                        'type': 'object', 'additionalProperties': False, 'required': ['ended'],
                        'properties': {'ended': {'type': 'boolean'}}}}}}},
                    **refusals('401', '403', '413', '503')),
            },
        },
        '/api/v1/session/code': {
            'post': {
                'operationId': 'loginCode', 'tags': ['session'],
                'summary': 'a one-time login code by SMS',
                'description': 'Makes a six-digit code for the person named by their code or '
                'phone number and has notify text it to the phone on file; log in with it at '
                'POST /api/v1/session. The answer is the same 202 whether or not anyone is '
                'behind the person or phone, or has a phone on file (no SMS goes then). A '
                'new code replaces the last. Answered once the SMS gateway took the message; '
                'when it did not, 503 SMS_NOT_SENT (ask again).',
                'security': [],
                'requestBody': {'required': True, 'content': {'application/json': {'schema': {
                    'oneOf': [
                        {'type': 'object', 'required': ['person'],
                         'not': {'required': ['phone']},
                         'properties': {'person': {'type': 'string',
                                                   'description': "the person's code"}}},
                        {'type': 'object', 'required': ['phone'],
                         'not': {'required': ['person']},
                         'properties': {'phone': {'type': 'string',
                                                  'description': 'the phone number on file'}}}]}}}},
                'responses': dict({'202': {
                    'description': 'a code is on its way if the person or phone is known and '
                    'has a phone on file',
                    'content': {'application/json': {'schema': {
                        'type': 'object', 'additionalProperties': False,
                        'required': ['accepted', 'expires_s'],
                        'properties': {
                            'accepted': {'type': 'boolean', 'enum': [True]},
                            'expires_s': {'type': 'integer', 'description': 'how long the '
                                          'code lives (GOV_GATEWAY_LOGIN_CODE_S)'}}}}}}},
                    **refusals('400', '413', '429', '503')),
            },
        },
        '/api/v1/me': {
            'get': {
                'operationId': 'me', 'tags': ['session'], 'summary': 'who is asking',
                'description': 'The person, their units (code, kind, role), whether a '
                'resident; with a session cookie, its CSRF token again.',
                'security': read_security,
                'responses': dict({'200': {'description': 'the person',
                                           'content': json_content('Me')}},
                                  **refusals('401', '503')),
            },
        },
        '/api/v1/areas': {
            'get': {
                'operationId': 'areas', 'tags': ['map'], 'summary': "the district's areas as GeoJSON",
                'description': 'Every area (district, streets, communities, grids) as one GeoJSON '
                'FeatureCollection, simplified to about 5 m, for the console\'s map (no tile '
                'server: the map draws these polygons). Each feature\'s properties are code, '
                'name, level and parent (the parent\'s code, null for the district). Answered '
                'by the gateway from the shared areas table (services/gateway/areas.c).',
                'security': read_security,
                'responses': dict({'200': {'description': 'the areas', 'content': {
                    'application/json': {'schema': {
                        'type': 'object', 'required': ['type', 'features'],
                        'properties': {
                            'type': {'type': 'string', 'enum': ['FeatureCollection']},
                            'features': {'type': 'array', 'items': {
                                'type': 'object', 'required': ['type', 'geometry', 'properties'],
                                'properties': {
                                    'type': {'type': 'string', 'enum': ['Feature']},
                                    'geometry': {'type': 'object'},
                                    'properties': {
                                        'type': 'object',
                                        'required': ['code', 'name', 'level', 'parent'],
                                        'properties': {
                                            'code': {'type': 'string'}, 'name': {'type': 'string'},
                                            'level': {'type': 'string', 'enum': [
                                                'district', 'street', 'community', 'grid',
                                                'building', 'entrance']},
                                            'parent': {'type': 'string', 'nullable': True}}}}}}}}}}}},
                                  **refusals('401', '503')),
            },
        },
    }
    for method, path, service, rtype, id_field in routes:
        if rtype not in types:
            sys.exit('route %s %s: no message for type %s in proto/' % (method, path, rtype))
        msg = messages[types[rtype]]
        reply = REPLIES.get(rtype, rtype + 'Reply')
        if reply not in types:
            sys.exit('route %s %s: no reply type %s (add it to REPLIES)' % (method, path, reply))
        op = {'operationId': rtype, 'tags': [service],
              'summary': '%s: %s' % (service, rtype)}
        doc = msg.doc if msg.name == rtype else ''
        notes = []
        if id_field:
            notes.append('{id} fills %s.' % id_field)
        if msg.name != rtype:
            notes.append('The request is a %s.' % msg.name)
        if doc or notes:
            op['description'] = ' '.join(([doc] if doc else []) + notes)
        plist = ([{'$ref': '#/components/parameters/id'}] if id_field else [])
        if method == 'GET':
            for f in msg.fields:
                if f['name'] == id_field or f['repeated'] or f['type'] in messages:
                    continue
                p = {'name': f['name'], 'in': 'query', 'required': False,
                     'schema': schemas.value(f, False)}
                if f['doc']:
                    p['description'] = f['doc']
                plist.append(p)
        else:
            plist.append({'$ref': '#/components/parameters/IdempotencyKey'})
        plist.append({'$ref': '#/components/parameters/XGovUnit'})
        op['parameters'] = plist
        if method == 'POST':
            op['requestBody'] = {'required': False,
                                 'description': 'the %s; an empty body is {}' % msg.name,
                                 'content': {'application/json': {
                                     'schema': schemas.ref(msg.name, False)}}}
        op['security'] = read_security if method == 'GET' else write_security
        ok = '200' if method == 'GET' else '201'
        reply_ref = schemas.ref(types[reply], True)
        op['responses'] = dict({ok: {'description': 'the %s' % reply,
                                     'content': {'application/json': {'schema': reply_ref}}}},
                               **refusals('400', '401', '403', '404', '409',
                                          *(['413'] if method == 'POST' else []), '503'))
        paths.setdefault(path, {})[method.lower()] = op
    schemas.out.update({'Error': ERROR, 'MyUnit': UNIT, 'Me': me_schema(False),
                        'Session': me_schema(True)})
    responses = {}
    for name, text in RESPONSES.items():
        r = {'description': text, 'content': json_content('Error')}
        if name == 'Unavailable':
            r['headers'] = {'Retry-After': {'description': 'seconds, with SERVICE_TIMEOUT '
                                            'and SMS_NOT_SENT',
                                            'schema': {'type': 'integer'}}}
        if name == 'RateLimited':
            r['headers'] = {'Retry-After': {'description': 'seconds until a try is back',
                                            'schema': {'type': 'integer'}}}
        responses[name] = r
    return {
        'openapi': '3.0.3',
        'info': {'title': 'gov-gateway /api/v1', 'version': '1', 'description': DESCRIPTION},
        'servers': [{'url': 'http://127.0.0.1:8080', 'description': 'make up'}],
        'tags': [{'name': 'session', 'description': 'logging in and out (the gateway)'},
                 {'name': 'intake', 'description': 'cases (gov-intake)'},
                 {'name': 'routing', 'description': 'dispatches, whistles, evaluations, KPIs '
                  '(gov-routing)'},
                 {'name': 'deliberation', 'description': 'matters, 3+1 lists, service orders '
                  '(gov-deliberation)'}],
        'paths': paths,
        'components': {
            'securitySchemes': {
                'session': {'type': 'apiKey', 'in': 'cookie', 'name': 'gov_session',
                            'description': 'from POST /api/v1/session'},
                'csrf': {'type': 'apiKey', 'in': 'header', 'name': 'X-CSRF-Token',
                         'description': "the session's csrf_token; with the cookie, on every "
                         'request that is not a GET'},
                'bearer': {'type': 'http', 'scheme': 'bearer', 'bearerFormat': 'gov_t_…',
                           'description': 'an API token from govctl token create'},
            },
            'parameters': params,
            'responses': responses,
            'schemas': {k: schemas.out[k] for k in sorted(schemas.out)},
        },
    }


# --- YAML -----------------------------------------------------------------------

PLAIN = re.compile(r'^[A-Za-z_/][A-Za-z0-9_./{}-]*$')
WORDS = {'y', 'n', 'yes', 'no', 'true', 'false', 'on', 'off', 'null'}


def scalar(v):
    if v is True or v is False:
        return 'true' if v else 'false'
    if v is None:
        return 'null'
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return repr(v)
    if PLAIN.match(v) and v.lower() not in WORDS:
        return v
    return json.dumps(v, ensure_ascii=False)


def flow(v):
    if isinstance(v, str) and not re.match(r'^[A-Za-z0-9_]+$', v):
        return json.dumps(v, ensure_ascii=False)
    return scalar(v)


def emit(v, indent, out):
    pad = '  ' * indent
    if isinstance(v, dict):
        for k, x in v.items():
            key = scalar(str(k))
            if isinstance(x, (dict, list)) and x:
                if isinstance(x, list) and all(not isinstance(e, (dict, list)) for e in x):
                    out.append('%s%s: [%s]' % (pad, key, ', '.join(flow(e) for e in x)))
                    continue
                out.append('%s%s:' % (pad, key))
                emit(x, indent + 1, out)
            elif isinstance(x, str) and '\n' in x:
                out.append('%s%s: |-' % (pad, key))
                out.extend(pad + '  ' + line if line else '' for line in x.split('\n'))
            else:
                out.append('%s%s: %s' % (pad, key, scalar(x) if not isinstance(x, (dict, list))
                                         else ('{}' if isinstance(x, dict) else '[]')))
    else:
        for x in v:
            if isinstance(x, dict) and x:
                sub = []
                emit(x, indent + 1, sub)
                out.append(pad + '- ' + sub[0].lstrip())
                out.extend(sub[1:])
            else:
                out.append(pad + '- ' + (scalar(x) if not isinstance(x, (dict, list)) else
                                         ('{}' if isinstance(x, dict) else '[]')))


def main():
    if len(sys.argv) < 4:
        sys.exit('usage: gen-openapi.py OUT.yaml API.c PROTO...')
    out, api, protos = sys.argv[1], sys.argv[2], sys.argv[3:]
    messages, enums, types = read_protos(sorted(protos))
    doc = build(read_routes(api), messages, enums, types)
    lines = ['# Generated by tools/gen-openapi.py from services/gateway/api.c and proto/:',
             '# do not edit; `make openapi` writes it again.']
    emit(doc, 0, lines)
    with open(out, 'w', encoding='utf-8') as f:
        f.write('\n'.join(lines) + '\n')


main()
