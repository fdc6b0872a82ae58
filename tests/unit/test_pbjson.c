/* pbjson: JSON back into messages, strictly, and the round trip
 * pbjson_to_message(pbjson_from_message(m)) packing to m's bytes.
 *
 * proto/ has no enum, oneof, proto2 label or unsigned 32-bit field, so this
 * file also holds `t.Probe`, a message described by hand the way protoc-c
 * would describe it, that has all of them and nests itself. Run from the
 * repository's root: the round trip over every message reads proto/. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>
#include <float.h>
#include <math.h>

#include "envelope.pb-c.h"
#include "intake.pb-c.h"
#include "msgtypes.h"
#include "pbjson.h"

/* ---- t.Probe ----
 *
 *   enum Colour { RED = 0; GREEN = 1; BLUE = 5; }
 *   message Probe {
 *     required int32 req = 1;       optional uint32 opt_u32 = 2;  optional string opt_str = 3;
 *     Colour colour = 4;            sint32 s32 = 5;    fixed32 f32 = 6;    sfixed32 sf32 = 7;
 *     sint64 s64 = 8;               fixed64 f64 = 9;   sfixed64 sf64 = 10; float fl = 11;
 *     repeated Colour colours = 12; repeated bytes blobs = 13; repeated bool flags = 14;
 *     repeated float floats = 15;   repeated uint64 u64s = 16;
 *     optional Probe child = 17;
 *     oneof pick { string name = 18; int32 number = 19; Probe sub = 20; }
 *   }
 * One message mixes both syntaxes' labels, each as protoc-c writes it:
 * proto2's REQUIRED and OPTIONAL (with a has_ flag for a scalar) for fields
 * 1-3 and 17, proto3's NONE for the rest, oneof members included. */
typedef struct probe probe_t;
struct probe {
    ProtobufCMessage base;
    int32_t req;
    protobuf_c_boolean has_opt_u32;
    uint32_t opt_u32;
    char *opt_str;
    int colour;
    int32_t s32;
    uint32_t f32;
    int32_t sf32;
    int64_t s64;
    uint64_t f64;
    int64_t sf64;
    float fl;
    size_t n_colours;
    int *colours;
    size_t n_blobs;
    ProtobufCBinaryData *blobs;
    size_t n_flags;
    protobuf_c_boolean *flags;
    size_t n_floats;
    float *floats;
    size_t n_u64s;
    uint64_t *u64s;
    probe_t *child;
    uint32_t pick_case;
    union {
        char *name;
        int32_t number;
        probe_t *sub;
    };
};

static const ProtobufCEnumValue s_colour_values[] = {
    {"RED", "T__COLOUR__RED", 0}, {"GREEN", "T__COLOUR__GREEN", 1}, {"BLUE", "T__COLOUR__BLUE", 5}};
static const ProtobufCEnumValueIndex s_colour_by_name[] = {{"BLUE", 2}, {"GREEN", 1}, {"RED", 0}};
static const ProtobufCIntRange s_colour_ranges[] = {{0, 0}, {5, 2}, {0, 3}};
static const ProtobufCEnumDescriptor s_colour_desc = {
    PROTOBUF_C__ENUM_DESCRIPTOR_MAGIC, "t.Colour", "Colour", "T__Colour", "t",
    3, s_colour_values, 3, s_colour_by_name, 2, s_colour_ranges, NULL, NULL, NULL, NULL};

static const ProtobufCMessageDescriptor s_probe_desc;

#define FIELD(NAME, ID, LABEL, TYPE, QUANTIFIER, DESC, FLAGS)                                   \
    {#NAME, ID, PROTOBUF_C_LABEL_##LABEL, PROTOBUF_C_TYPE_##TYPE, QUANTIFIER,                  \
     offsetof(probe_t, NAME), DESC, NULL, FLAGS, 0, NULL, NULL}
#define AT(NAME) offsetof(probe_t, NAME)
#define ONEOF PROTOBUF_C_FIELD_FLAG_ONEOF

static const ProtobufCFieldDescriptor s_probe_fields[] = {
    FIELD(req, 1, REQUIRED, INT32, 0, NULL, 0),
    FIELD(opt_u32, 2, OPTIONAL, UINT32, AT(has_opt_u32), NULL, 0),
    FIELD(opt_str, 3, OPTIONAL, STRING, 0, NULL, 0),
    FIELD(colour, 4, NONE, ENUM, 0, &s_colour_desc, 0),
    FIELD(s32, 5, NONE, SINT32, 0, NULL, 0),
    FIELD(f32, 6, NONE, FIXED32, 0, NULL, 0),
    FIELD(sf32, 7, NONE, SFIXED32, 0, NULL, 0),
    FIELD(s64, 8, NONE, SINT64, 0, NULL, 0),
    FIELD(f64, 9, NONE, FIXED64, 0, NULL, 0),
    FIELD(sf64, 10, NONE, SFIXED64, 0, NULL, 0),
    FIELD(fl, 11, NONE, FLOAT, 0, NULL, 0),
    FIELD(colours, 12, REPEATED, ENUM, AT(n_colours), &s_colour_desc, 0),
    FIELD(blobs, 13, REPEATED, BYTES, AT(n_blobs), NULL, 0),
    FIELD(flags, 14, REPEATED, BOOL, AT(n_flags), NULL, 0),
    FIELD(floats, 15, REPEATED, FLOAT, AT(n_floats), NULL, 0),
    FIELD(u64s, 16, REPEATED, UINT64, AT(n_u64s), NULL, 0),
    FIELD(child, 17, OPTIONAL, MESSAGE, 0, &s_probe_desc, 0),
    FIELD(name, 18, NONE, STRING, AT(pick_case), NULL, ONEOF),
    FIELD(number, 19, NONE, INT32, AT(pick_case), NULL, ONEOF),
    FIELD(sub, 20, NONE, MESSAGE, AT(pick_case), &s_probe_desc, ONEOF),
};
/* Field indices in the order of their names. */
static const unsigned s_probe_by_name[] = {12, 16, 3, 11, 5, 8, 10, 13, 14, 17,
                                           18, 2, 1, 0, 4, 7, 6, 9, 19, 15};
static const ProtobufCIntRange s_probe_ranges[] = {{1, 0}, {0, 20}};

static void s_probe_init(ProtobufCMessage *msg)
{
    memset(msg, 0, sizeof(probe_t));
    msg->descriptor = &s_probe_desc;
}

static const ProtobufCMessageDescriptor s_probe_desc = {
    PROTOBUF_C__MESSAGE_DESCRIPTOR_MAGIC, "t.Probe", "Probe", "T__Probe", "t",
    sizeof(probe_t), 20, s_probe_fields, s_probe_by_name, 1, s_probe_ranges,
    s_probe_init, NULL, NULL, NULL};

/* ---- helpers ---- */

/* Parses `text`, JSON with ' for " (the C reads better), \u0000 allowed,
 * and converts it; `err` gets the sentence. */
static ProtobufCMessage *s_parse(const ProtobufCMessageDescriptor *desc, const char *text, char *err,
                                 size_t err_cap)
{
    char *quoted = strdup(text);
    assert_non_null(quoted);
    for (char *c = quoted; *c; c++)
        if (*c == '\'')
            *c = '"';
    json_error_t jerr;
    json_t *json = json_loads(quoted, JSON_ALLOW_NUL, &jerr);
    if (!json)
        fail_msg("bad test JSON %s: %s", quoted, jerr.text);
    free(quoted);
    ProtobufCMessage *msg = pbjson_to_message(desc, json, err, err_cap);
    json_decref(json);
    return msg;
}

/* `text` is refused with exactly the sentence `want`. */
static void s_refused(const ProtobufCMessageDescriptor *desc, const char *text, const char *want)
{
    char err[256];
    ProtobufCMessage *msg = s_parse(desc, text, err, sizeof err);
    if (msg) {
        protobuf_c_message_free_unpacked(msg, NULL);
        fail_msg("accepted %s", text);
    }
    assert_string_equal(err, want);
}

/* `text` is accepted; the caller frees the message. */
static void *s_accepted(const ProtobufCMessageDescriptor *desc, const char *text)
{
    char err[256];
    ProtobufCMessage *msg = s_parse(desc, text, err, sizeof err);
    if (!msg)
        fail_msg("refused %s: %s", text, err);
    return msg;
}

/* Packs `msg` into a new buffer. */
static uint8_t *s_pack(const ProtobufCMessage *msg, size_t *len)
{
    *len = protobuf_c_message_get_packed_size(msg);
    uint8_t *out = malloc(*len + 1);
    assert_non_null(out);
    assert_int_equal(protobuf_c_message_pack(msg, out), *len);
    return out;
}

/* pbjson_from_message, as text and parsed again, then pbjson_to_message,
 * packs to the same bytes as `msg`. */
static void s_round_trip(const ProtobufCMessage *msg)
{
    json_t *json = pbjson_from_message(msg);
    char *text = json_dumps(json, JSON_COMPACT);
    json_decref(json);
    assert_non_null(text);
    char err[256];
    ProtobufCMessage *back = s_parse(msg->descriptor, text, err, sizeof err);
    if (!back)
        fail_msg("%s refused its own JSON %s: %s", msg->descriptor->name, text, err);
    size_t want_len, got_len;
    uint8_t *want = s_pack(msg, &want_len), *got = s_pack(back, &got_len);
    if (want_len != got_len || memcmp(want, got, want_len) != 0)
        fail_msg("%s: %s packs to other bytes", msg->descriptor->name, text);
    free(want);
    free(got);
    free(text);
    protobuf_c_message_free_unpacked(back, NULL);
}

/* ---- random messages of any descriptor, for the round trip ---- */

static uint64_t s_next(uint64_t *rng)
{
    *rng ^= *rng << 13;
    *rng ^= *rng >> 7;
    *rng ^= *rng << 17;
    return *rng;
}

static size_t s_elt_size(ProtobufCType type)
{
    switch (type) {
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        return 8;
    case PROTOBUF_C_TYPE_DOUBLE:
        return sizeof(double);
    case PROTOBUF_C_TYPE_BOOL:
        return sizeof(protobuf_c_boolean);
    case PROTOBUF_C_TYPE_ENUM:
        return sizeof(int);
    case PROTOBUF_C_TYPE_STRING:
    case PROTOBUF_C_TYPE_MESSAGE:
        return sizeof(void *);
    case PROTOBUF_C_TYPE_BYTES:
        return sizeof(ProtobufCBinaryData);
    default:
        return 4;
    }
}

static void s_fill(ProtobufCMessage *msg, uint64_t *rng, int depth);

/* One random value of `field`, edges often: integer limits (as bit patterns
 * they are the limits of every width), a value beyond a double's exact
 * integers, -0.0, denormals, the largest finite floats, non-ASCII text. */
static void s_fill_value(const ProtobufCFieldDescriptor *field, void *member, uint64_t *rng, int depth)
{
    static const uint64_t ints[] = {0, 1, UINT64_MAX, INT64_MAX, (uint64_t) INT64_MIN, INT32_MAX,
                                    (uint64_t) (int64_t) INT32_MIN, UINT32_MAX, 9007199254740993ULL};
    static const double reals[] = {0.0, -0.0, 1.5, 39.9025, DBL_MAX, -DBL_MIN, 5e-324};
    static const float floats[] = {0.0f, -0.0f, 1.5f, FLT_MAX, -FLT_MIN, 1e-45f};
    static const char *texts[] = {"", "a", "城市治理 12345", "tab\t \"quoted\" \\ / \n"};
    uint64_t r = s_next(rng), bits = r % 2 ? s_next(rng) : ints[r / 2 % 9];
    switch (field->type) {
    case PROTOBUF_C_TYPE_FLOAT: {
        float v;
        memcpy(&v, &bits, 4);
        *(float *) member = isfinite(v) && r % 3 ? v : floats[r / 3 % 6];
        return;
    }
    case PROTOBUF_C_TYPE_DOUBLE: {
        double v;
        memcpy(&v, &bits, 8);
        *(double *) member = isfinite(v) && r % 3 ? v : reals[r / 3 % 7];
        return;
    }
    case PROTOBUF_C_TYPE_BOOL:
        *(protobuf_c_boolean *) member = r % 2;
        return;
    case PROTOBUF_C_TYPE_ENUM: {
        const ProtobufCEnumDescriptor *e = field->descriptor;
        *(int *) member = e->values[r % e->n_values].value;
        return;
    }
    case PROTOBUF_C_TYPE_STRING:
        *(char **) member = strdup(texts[r % 4]);
        return;
    case PROTOBUF_C_TYPE_BYTES: {
        ProtobufCBinaryData *b = member;
        b->len = r % 9;
        b->data = b->len ? malloc(b->len) : NULL;
        for (size_t i = 0; i < b->len; i++)
            b->data[i] = (uint8_t) s_next(rng);
        return;
    }
    case PROTOBUF_C_TYPE_MESSAGE: {
        const ProtobufCMessageDescriptor *desc = field->descriptor;
        ProtobufCMessage *sub = malloc(desc->sizeof_message);
        protobuf_c_message_init(desc, sub);
        s_fill(sub, rng, depth + 1);
        *(ProtobufCMessage **) member = sub;
        return;
    }
    default:
        if (s_elt_size(field->type) == 8)
            memcpy(member, &bits, 8);
        else
            *(uint32_t *) member = (uint32_t) bits;
        return;
    }
}

/* Sets some of `msg`'s fields, sub-messages down to depth 4. */
static void s_fill(ProtobufCMessage *msg, uint64_t *rng, int depth)
{
    const ProtobufCMessageDescriptor *desc = msg->descriptor;
    for (unsigned i = 0; i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &desc->fields[i];
        char *member = (char *) msg + f->offset, *quantifier = (char *) msg + f->quantifier_offset;
        uint64_t r = s_next(rng);
        if (f->type == PROTOBUF_C_TYPE_MESSAGE && (depth >= 4 || r % 3 == 0))
            continue;
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n = r % 4, size = s_elt_size(f->type);
            char *items = n ? calloc(n, size) : NULL;
            for (size_t k = 0; k < n; k++)
                s_fill_value(f, items + k * size, rng, depth);
            *(char **) member = items;
            *(size_t *) quantifier = n;
            continue;
        }
        if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
            if (*(uint32_t *) quantifier || r % 2)
                continue;
            *(uint32_t *) quantifier = f->id;
        } else if (f->label == PROTOBUF_C_LABEL_OPTIONAL) {
            if (r % 2)
                continue;
            if (f->type != PROTOBUF_C_TYPE_STRING && f->type != PROTOBUF_C_TYPE_MESSAGE)
                *(protobuf_c_boolean *) quantifier = 1;
        }
        s_fill_value(f, member, rng, depth);
    }
}

static void s_round_trip_random(const ProtobufCMessageDescriptor *desc, int runs)
{
    uint64_t rng = 0x9E3779B97F4A7C15ULL ^ (uint64_t) desc->sizeof_message;
    for (int run = 0; run < runs; run++) {
        ProtobufCMessage *msg = malloc(desc->sizeof_message);
        protobuf_c_message_init(desc, msg);
        s_fill(msg, &rng, 1);
        s_round_trip(msg);
        protobuf_c_message_free_unpacked(msg, NULL);
    }
}

/* ---- the round trip ---- */

static void test_probe_descriptor_is_sound(void **state)
{
    (void) state;
    for (unsigned i = 0; i < s_probe_desc.n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &s_probe_fields[i];
        assert_ptr_equal(protobuf_c_message_descriptor_get_field_by_name(&s_probe_desc, f->name), f);
        assert_ptr_equal(protobuf_c_message_descriptor_get_field(&s_probe_desc, f->id), f);
    }
    assert_string_equal(protobuf_c_enum_descriptor_get_value_by_name(&s_colour_desc, "BLUE")->name, "BLUE");
    assert_int_equal(protobuf_c_enum_descriptor_get_value(&s_colour_desc, 5)->value, 5);
}

/* Every message of proto/, many times over with random values. */
static void test_round_trip_every_message(void **state)
{
    (void) state;
    DIR *dir = opendir("proto");
    assert_non_null(dir);
    int messages = 0;
    for (struct dirent *ent; (ent = readdir(dir));) {
        size_t len = strlen(ent->d_name);
        if (len < 6 || strcmp(ent->d_name + len - 6, ".proto") != 0)
            continue;
        char path[512], line[1024], name[128];
        snprintf(path, sizeof path, "proto/%s", ent->d_name);
        FILE *in = fopen(path, "r");
        assert_non_null(in);
        while (fgets(line, sizeof line, in)) {
            if (sscanf(line, "message %127[A-Za-z0-9_]", name) != 1)
                continue;
            const ProtobufCMessageDescriptor *desc = msgtypes_find(name);
            if (!desc)
                fail_msg("%s: no descriptor for %s", path, name);
            s_round_trip_random(desc, 40);
            messages++;
        }
        fclose(in);
    }
    closedir(dir);
    assert_true(messages > 50);
}

/* Enums, oneofs, proto2 labels, every integer width, recursion. */
static void test_round_trip_probe(void **state)
{
    (void) state;
    s_round_trip_random(&s_probe_desc, 2000);
}

static void test_round_trip_by_hand(void **state)
{
    (void) state;
    Gov__Envelope env = GOV__ENVELOPE__INIT;
    Gov__Actor actor = GOV__ACTOR__INIT;
    uint8_t raw[] = {0x00, 0xab, 0xff};
    env.type = "CaseCreated";
    env.actor = &actor;
    actor.id = "p.so.s1.head";
    env.time_ms = INT64_MIN;
    env.payload.data = raw;
    env.payload.len = sizeof raw;
    env.seq = UINT64_MAX;
    s_round_trip(&env.base);
    json_t *j = pbjson_from_message(&env.base);
    assert_string_equal(json_string_value(json_object_get(j, "seq")), "18446744073709551615");
    json_decref(j);

    Gov__Case c = GOV__CASE__INIT;
    Gov__Location loc = GOV__LOCATION__INIT;
    Gov__Point pt = GOV__POINT__INIT;
    Gov__AreaRef a = GOV__AREA_REF__INIT, b = GOV__AREA_REF__INIT, *path[] = {&a, &b};
    Gov__Caller caller = GOV__CALLER__INIT, *callers[] = {&caller};
    Gov__Reporter rep = GOV__REPORTER__INIT;
    char *media[] = {"https://m.example/1.jpg", ""};
    c.id = 9007199254740993LL;
    c.caller_count = INT32_MIN;
    pt.lat = 39.9025;
    pt.lon = -0.0;
    loc.point = &pt;
    c.location = &loc;
    a.code = "demo.s1";
    b.name = "网格一";
    c.area_path = path;
    c.n_area_path = 2;
    c.media_urls = media;
    c.n_media_urls = 2;
    rep.phone = "13800000000";
    caller.reporter = &rep;
    c.callers = callers;
    c.n_callers = 1;
    s_round_trip(&c.base);

    probe_t p;
    s_probe_init(&p.base);
    p.pick_case = 19; /* number, and 0: a chosen member packs even at zero */
    p.has_opt_u32 = 1;
    p.opt_u32 = UINT32_MAX;
    s_round_trip(&p.base);
    j = pbjson_from_message(&p.base);
    assert_int_equal(json_integer_value(json_object_get(j, "number")), 0);
    assert_true(json_is_null(json_object_get(j, "name")));
    assert_true(json_is_null(json_object_get(j, "sub")));
    assert_true(json_is_null(json_object_get(j, "opt_str")));
    json_decref(j);
    p.has_opt_u32 = 0; /* unset: null, not the value left behind */
    j = pbjson_from_message(&p.base);
    assert_true(json_is_null(json_object_get(j, "opt_u32")));
    json_decref(j);
}

/* ---- what is accepted ---- */

static void test_reads_values(void **state)
{
    (void) state;
    Gov__Envelope *env = s_accepted(&gov__envelope__descriptor,
                                    "{'type': 'CaseCreated', 'actor': {'id': 'p.1'},"
                                    " 'time_ms': '-9223372036854775808',"
                                    " 'seq': '18446744073709551615', 'payload': '00ABff'}");
    assert_string_equal(env->type, "CaseCreated");
    assert_string_equal(env->actor->id, "p.1");
    assert_string_equal(env->actor->role, "");
    assert_true(env->time_ms == INT64_MIN);
    assert_true(env->seq == UINT64_MAX);
    assert_int_equal(env->payload.len, 3);
    assert_memory_equal(env->payload.data, "\x00\xab\xff", 3);
    protobuf_c_message_free_unpacked(&env->base, NULL);

    Gov__SubmitCaseReply *r = s_accepted(&gov__submit_case_reply__descriptor,
                                         "{'caller_count': -2147483648, 'case_id': 9223372036854775807,"
                                         " 'merged': true}");
    assert_int_equal(r->caller_count, INT32_MIN);
    assert_true(r->case_id == INT64_MAX);
    assert_true(r->merged);
    protobuf_c_message_free_unpacked(&r->base, NULL);
    r = s_accepted(&gov__submit_case_reply__descriptor, "{'caller_count': 2147483647}");
    assert_int_equal(r->caller_count, INT32_MAX);
    protobuf_c_message_free_unpacked(&r->base, NULL);

    probe_t *p = s_accepted(&s_probe_desc,
                            "{'req': 7, 'opt_u32': 4294967295, 'colour': 'BLUE',"
                            " 'colours': ['GREEN', 5, 0], 'fl': 3, 'sf64': '-12',"
                            " 'f64': '18446744073709551615', 'name': 'x', 'number': null,"
                            " 'sub': null, 'child': {'req': 1, 'number': 3}}");
    assert_int_equal(p->req, 7);
    assert_true(p->has_opt_u32);
    assert_int_equal(p->opt_u32, UINT32_MAX);
    assert_int_equal(p->colour, 5);
    assert_int_equal(p->n_colours, 3);
    assert_int_equal(p->colours[0], 1);
    assert_int_equal(p->colours[1], 5);
    assert_int_equal(p->colours[2], 0);
    assert_true(p->fl == 3.0f);
    assert_true(p->sf64 == -12);
    assert_true(p->f64 == UINT64_MAX);
    assert_int_equal(p->pick_case, 18);
    assert_string_equal(p->name, "x");
    assert_int_equal(p->child->pick_case, 19);
    assert_int_equal(p->child->number, 3);
    protobuf_c_message_free_unpacked(&p->base, NULL);
}

/* Null, or no key, leaves the default: no has_ flag, no oneof case, no
 * sub-message, no elements. */
static void test_null_leaves_defaults(void **state)
{
    (void) state;
    Gov__Case *c = s_accepted(&gov__case__descriptor,
                              "{'id': null, 'description': null, 'location': null,"
                              " 'media_urls': null, 'area_path': null}");
    assert_int_equal(c->id, 0);
    assert_string_equal(c->description, "");
    assert_null(c->location);
    assert_int_equal(c->n_media_urls, 0);
    assert_null(c->media_urls);
    assert_int_equal(c->n_area_path, 0);
    size_t len;
    uint8_t *bytes = s_pack(&c->base, &len);
    assert_int_equal(len, 0);
    free(bytes);
    protobuf_c_message_free_unpacked(&c->base, NULL);

    probe_t *p = s_accepted(&s_probe_desc,
                            "{'req': 0, 'opt_u32': null, 'opt_str': null, 'colour': null,"
                            " 'child': null, 'name': null, 'number': null, 'sub': null}");
    assert_false(p->has_opt_u32);
    assert_null(p->opt_str);
    assert_null(p->child);
    assert_int_equal(p->pick_case, 0);
    protobuf_c_message_free_unpacked(&p->base, NULL);
}

/* ---- what is refused, naming the field ---- */

static void test_refuses_unknown_fields(void **state)
{
    (void) state;
    const ProtobufCMessageDescriptor *d = &gov__case__descriptor;
    s_refused(d, "{'location': {'point': {'lat': 1, 'latt': 2}}}", "location.point.latt: unknown field");
    s_refused(d, "{'Description': 'x'}", "Description: unknown field");
    s_refused(d, "{'bogus': null}", "bogus: unknown field");
    s_refused(d, "{'area_path': [{'code': 'a'}, {'kode': 'b'}]}", "area_path[1].kode: unknown field");
    s_refused(d, "[]", "expected a JSON object");
    /* jansson's parser refuses such a key, but a program can make one. */
    json_t *body = json_object();
    json_object_setn_new(body, "description\0x", 13, json_string("x"));
    char err[256];
    assert_null(pbjson_to_message(d, body, err, sizeof err));
    assert_string_equal(err, "a field name contains a NUL character");
    json_decref(body);
}

static void test_refuses_wrong_types(void **state)
{
    (void) state;
    const ProtobufCMessageDescriptor *d = &gov__case__descriptor;
    s_refused(d, "{'location': {'point': {'lat': 'north'}}}", "location.point.lat: expected a number");
    s_refused(d, "{'location': []}", "location: expected an object");
    s_refused(d, "{'description': 5}", "description: expected a string");
    s_refused(d, "{'media_urls': 'x'}", "media_urls: expected an array");
    s_refused(d, "{'media_urls': ['a', null]}", "media_urls[1]: expected a string");
    s_refused(d, "{'area_path': [{'code': 'a'}, {'code': 7}]}", "area_path[1].code: expected a string");
    s_refused(d, "{'id': 1.5}", "id: expected an integer or a decimal string");
    s_refused(d, "{'id': true}", "id: expected an integer or a decimal string");
    s_refused(d, "{'caller_count': 2.0}", "caller_count: expected an integer");
    s_refused(d, "{'caller_count': '5'}", "caller_count: expected an integer");
    d = &gov__submit_case_reply__descriptor;
    s_refused(d, "{'merged': 1}", "merged: expected true or false");
    s_refused(d, "{'merged': 'true'}", "merged: expected true or false");
    s_refused(&s_probe_desc, "{'req': 1, 'flags': [true, 0]}", "flags[1]: expected true or false");
}

#define INT32_RANGE "out of range (-2147483648 to 2147483647)"
#define INT64_RANGE "out of range (-9223372036854775808 to 9223372036854775807)"

static void test_refuses_integers_out_of_range(void **state)
{
    (void) state;
    const ProtobufCMessageDescriptor *d = &gov__submit_case_reply__descriptor;
    s_refused(d, "{'caller_count': 2147483648}", "caller_count: " INT32_RANGE);
    s_refused(d, "{'caller_count': -2147483649}", "caller_count: " INT32_RANGE);
    s_refused(d, "{'case_id': '9223372036854775808'}", "case_id: " INT64_RANGE);
    s_refused(d, "{'case_id': '-9223372036854775809'}", "case_id: " INT64_RANGE);
    s_refused(d, "{'case_id': '99999999999999999999999'}", "case_id: " INT64_RANGE);
    s_refused(d, "{'case_id': '12a'}", "case_id: expected an integer or a decimal string");
    s_refused(d, "{'case_id': ''}", "case_id: expected an integer or a decimal string");
    s_refused(d, "{'case_id': '+1'}", "case_id: expected an integer or a decimal string");
    s_refused(d, "{'case_id': ' 1'}", "case_id: expected an integer or a decimal string");
    s_refused(d, "{'case_id': '-'}", "case_id: expected an integer or a decimal string");
    s_refused(d, "{'case_id': '1\\u00002'}", "case_id: expected an integer or a decimal string");
    s_refused(&gov__envelope__descriptor, "{'seq': '18446744073709551616'}",
              "seq: out of range (0 to 18446744073709551615)");
    const ProtobufCMessageDescriptor *p = &s_probe_desc;
    s_refused(p, "{'req': 1, 'opt_u32': 4294967296}", "opt_u32: out of range (0 to 4294967295)");
    s_refused(p, "{'req': 1, 's32': 2147483648}", "s32: " INT32_RANGE);
    s_refused(p, "{'req': 1, 'sf32': -2147483649}", "sf32: " INT32_RANGE);
    s_refused(p, "{'req': 1, 'fl': 1e39}", "fl: out of range for a float");
    s_refused(p, "{'req': 1, 'floats': [1, -1e39]}", "floats[1]: out of range for a float");
}

static void test_refuses_negative_unsigned(void **state)
{
    (void) state;
    s_refused(&gov__envelope__descriptor, "{'seq': -1}", "seq: expected a non-negative integer");
    s_refused(&gov__envelope__descriptor, "{'seq': '-1'}", "seq: expected a non-negative integer");
    s_refused(&s_probe_desc, "{'req': 1, 'opt_u32': -1}", "opt_u32: expected a non-negative integer");
    s_refused(&s_probe_desc, "{'req': 1, 'f32': -5}", "f32: expected a non-negative integer");
    s_refused(&s_probe_desc, "{'req': 1, 'u64s': [1, -9223372036854775808]}",
              "u64s[1]: expected a non-negative integer");
}

static void test_refuses_bad_enums(void **state)
{
    (void) state;
    const ProtobufCMessageDescriptor *p = &s_probe_desc;
    s_refused(p, "{'req': 1, 'colour': 'PURPLE'}", "colour: not a value name of enum t.Colour");
    s_refused(p, "{'req': 1, 'colour': 'blue'}", "colour: not a value name of enum t.Colour");
    s_refused(p, "{'req': 1, 'colour': 'RED\\u0000'}", "colour: not a value name of enum t.Colour");
    s_refused(p, "{'req': 1, 'colour': 3}", "colour: not a value of enum t.Colour");
    s_refused(p, "{'req': 1, 'colour': 4294967301}", "colour: not a value of enum t.Colour");
    s_refused(p, "{'req': 1, 'colour': true}", "colour: expected a value name of enum t.Colour");
    s_refused(p, "{'req': 1, 'colours': ['RED', 'GREEN', 'Blue']}",
              "colours[2]: not a value name of enum t.Colour");
}

static void test_refuses_bad_hex(void **state)
{
    (void) state;
    const ProtobufCMessageDescriptor *d = &gov__envelope__descriptor;
    s_refused(d, "{'payload': 'abc'}", "payload: hex string of odd length");
    s_refused(d, "{'payload': '0g'}", "payload: expected a hex string");
    s_refused(d, "{'payload': '0x00'}", "payload: expected a hex string");
    s_refused(d, "{'payload': '0\\u0000'}", "payload: expected a hex string");
    s_refused(d, "{'payload': [0, 1]}", "payload: expected a hex string");
    s_refused(&s_probe_desc, "{'req': 1, 'blobs': ['00', '', '0']}", "blobs[2]: hex string of odd length");
}

static void test_refuses_nul_in_strings(void **state)
{
    (void) state;
    const ProtobufCMessageDescriptor *d = &gov__case__descriptor;
    s_refused(d, "{'description': 'a\\u0000b'}", "description: contains a NUL character");
    s_refused(d, "{'media_urls': ['a', '\\u0000']}", "media_urls[1]: contains a NUL character");
    s_refused(&s_probe_desc, "{'req': 1, 'name': '\\u0000'}", "name: contains a NUL character");
}

/* Into `out`, `n` probes each the child of the one before, the last holding
 * `inner` as its child; into `path`, the path to `inner`: "child.child...". */
static void s_chain(char *out, size_t cap, int n, const char *inner, char *path, size_t path_cap)
{
    size_t used = 0, path_used = 0;
    for (int i = 0; i < n; i++) {
        used += (size_t) snprintf(out + used, cap - used, "{'req': 1, 'child': ");
        path_used += (size_t) snprintf(path + path_used, path_cap - path_used, "%schild", i ? "." : "");
    }
    used += (size_t) snprintf(out + used, cap - used, "%s", inner);
    for (int i = 0; i < n; i++)
        used += (size_t) snprintf(out + used, cap - used, "}");
    assert_true(used < cap && path_used < path_cap);
}

static void test_refuses_too_deep(void **state)
{
    (void) state;
    char text[2048], path[512], want[600];
    /* The outermost message and 31 children: 32 deep, accepted. */
    s_chain(text, sizeof text, PBJSON_MAX_DEPTH - 1, "{'req': 1}", path, sizeof path);
    protobuf_c_message_free_unpacked(s_accepted(&s_probe_desc, text), NULL);
    /* One more, through the oneof's sub-message: refused, at its path. */
    s_chain(text, sizeof text, PBJSON_MAX_DEPTH - 1, "{'req': 1, 'sub': {'req': 1}}", path, sizeof path);
    snprintf(want, sizeof want, "%s.sub: messages nested more than 32 deep", path);
    s_refused(&s_probe_desc, text, want);
}

static void test_refuses_too_long_arrays(void **state)
{
    (void) state;
    json_t *urls = json_array();
    for (int i = 0; i < PBJSON_MAX_ITEMS; i++)
        json_array_append_new(urls, json_string("u"));
    json_t *body = json_pack("{s:o}", "media_urls", urls);
    char err[256];
    ProtobufCMessage *msg = pbjson_to_message(&gov__submit_case__descriptor, body, err, sizeof err);
    assert_non_null(msg);
    assert_int_equal(((Gov__SubmitCase *) msg)->n_media_urls, PBJSON_MAX_ITEMS);
    protobuf_c_message_free_unpacked(msg, NULL);
    json_array_append_new(urls, json_string("u"));
    assert_null(pbjson_to_message(&gov__submit_case__descriptor, body, err, sizeof err));
    assert_string_equal(err, "media_urls: more than 10000 elements");
    json_decref(body);
}

static void test_refuses_two_oneof_members(void **state)
{
    (void) state;
    const ProtobufCMessageDescriptor *p = &s_probe_desc;
    s_refused(p, "{'req': 1, 'name': 'x', 'number': 5}", "number: conflicts with name (same oneof)");
    s_refused(p, "{'req': 1, 'number': 0, 'name': ''}", "name: conflicts with number (same oneof)");
    /* The first member a sub-message, built and then dropped. */
    s_refused(p, "{'req': 1, 'sub': {'req': 2, 'name': 'y'}, 'name': 'x'}",
              "name: conflicts with sub (same oneof)");
    s_refused(p, "{'req': 1, 'child': {'req': 1, 'number': 1, 'sub': {'req': 1}}}",
              "child.sub: conflicts with number (same oneof)");
}

static void test_refuses_missing_required(void **state)
{
    (void) state;
    s_refused(&s_probe_desc, "{}", "req: required field is missing");
    s_refused(&s_probe_desc, "{'req': null}", "req: required field is missing");
    s_refused(&s_probe_desc, "{'req': 1, 'child': {'opt_str': 'x'}}", "child.req: required field is missing");
}

/* A refusal after strings, arrays and sub-messages were built frees them all
 * (ASan's leak check says so), and leaves nothing half set. */
static void test_refusal_late_in_a_big_body(void **state)
{
    (void) state;
    s_refused(&gov__case__descriptor,
              "{'description': 'd', 'media_urls': ['a', 'b'], 'location': {'point': {'lat': 1},"
              " 'address': 'x'}, 'callers': [{'reporter': {'name': 'a'}, 'media_urls': ['m']},"
              " {'reporter': {'name': 1}}]}",
              "callers[1].reporter.name: expected a string");
    s_refused(&s_probe_desc,
              "{'req': 1, 'opt_str': 's', 'blobs': ['00ff'], 'child': {'req': 1, 'sub': {'req': 1,"
              " 'name': 'n', 'colours': ['RED', 'NOPE']}}}",
              "child.sub.colours[1]: not a value name of enum t.Colour");
}

/* The sentence is cut to fit, at a character boundary, and err may be absent. */
static void test_error_buffer(void **state)
{
    (void) state;
    char err[16];
    memset(err, 'x', sizeof err);
    assert_null(s_parse(&gov__case__descriptor, "{'城市城市城市': 1}", err, 8));
    assert_string_equal(err, "城市"); /* 6 bytes; a third character would need 9 */
    assert_null(s_parse(&gov__case__descriptor, "{'description': 5}", err, sizeof err));
    assert_string_equal(err, "description: ex");
    assert_null(s_parse(&gov__case__descriptor, "{'description': 5}", NULL, 0));
    assert_null(pbjson_to_message(&gov__case__descriptor, NULL, err, sizeof err));
    assert_string_equal(err, "expected a JSON");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_probe_descriptor_is_sound),
        cmocka_unit_test(test_round_trip_every_message),
        cmocka_unit_test(test_round_trip_probe),
        cmocka_unit_test(test_round_trip_by_hand),
        cmocka_unit_test(test_reads_values),
        cmocka_unit_test(test_null_leaves_defaults),
        cmocka_unit_test(test_refuses_unknown_fields),
        cmocka_unit_test(test_refuses_wrong_types),
        cmocka_unit_test(test_refuses_integers_out_of_range),
        cmocka_unit_test(test_refuses_negative_unsigned),
        cmocka_unit_test(test_refuses_bad_enums),
        cmocka_unit_test(test_refuses_bad_hex),
        cmocka_unit_test(test_refuses_nul_in_strings),
        cmocka_unit_test(test_refuses_too_deep),
        cmocka_unit_test(test_refuses_too_long_arrays),
        cmocka_unit_test(test_refuses_two_oneof_members),
        cmocka_unit_test(test_refuses_missing_required),
        cmocka_unit_test(test_refusal_late_in_a_big_body),
        cmocka_unit_test(test_error_buffer),
    };
    return cmocka_run_group_tests_name("pbjson", tests, NULL, NULL);
}
