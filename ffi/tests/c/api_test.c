/*
 * api_test.c: tests of the etagcore C ABI, every function of include/etagcore.h.
 *
 * Each exported function is called with exact expected outputs, with each documented error code,
 * with NULL for every pointer parameter, with (NULL, 0) byte strings (the empty string), with
 * NULL and a non-zero length (NULL_PARAMETER), with lengths above PTRDIFF_MAX (INVALID_INPUT)
 * and misaligned pointers (INVALID_INPUT), and with output buffers of ample, exact, one-too-small
 * and zero capacity. Output buffers and out-parameters are filled with sentinel bytes (0xA5)
 * before every call and checked after it: untouched on failure, and on success written exactly
 * up to *out_len and not one byte further.
 *
 * Misaligned pointers are made from integers (uintptr_t), never by casting a misaligned object
 * pointer, and are never dereferenced here: the library must reject them before any access.
 *
 * Output: one line "api_test: N passed, M failed" (N and M count CHECKs); the exit status is
 * nonzero when M > 0. Failed CHECKs are reported on stderr with file:line and the expression.
 */

#include <etagcore.h>

#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------------------------------------ */
/* Harness                                                                                    */
/* ------------------------------------------------------------------------------------------ */

static unsigned long g_passed;
static unsigned long g_failed;
static const char *g_area = ""; /* the test function running */
static const char *g_case = ""; /* a finer label, set by shared helpers */

static bool check_at(bool ok, const char *expr, const char *file, int line)
{
    if (ok) {
        g_passed++;
    } else {
        g_failed++;
        fprintf(stderr, "%s:%d: [%s%s%s] CHECK failed: %s\n", file, line, g_area,
                g_case[0] != '\0' ? " / " : "", g_case, expr);
    }
    return ok;
}

#define CHECK(cond) check_at((cond) ? true : false, #cond, __FILE__, __LINE__)

static bool check_rc_at(etagcore_result got, etagcore_result want, const char *expr,
                        const char *file, int line)
{
    bool ok = check_at(got == want, expr, file, line);
    if (!ok) {
        fprintf(stderr, "    got %u (%s), want %u (%s)\n", (unsigned)got, etagcore_result_str(got),
                (unsigned)want, etagcore_result_str(want));
    }
    return ok;
}

/* One CHECK that a call returns a result code, printing both codes when it does not. */
#define CHECK_RC(call, want) check_rc_at((call), (want), #call " == " #want, __FILE__, __LINE__)

#define OK ETAGCORE_RESULT_OK
#define NULL_PARAMETER ETAGCORE_RESULT_NULL_PARAMETER
#define INSUFFICIENT_SIZE ETAGCORE_RESULT_INSUFFICIENT_SIZE
#define INVALID_INPUT ETAGCORE_RESULT_INVALID_INPUT

/* ------------------------------------------------------------------------------------------ */
/* Sentinels, byte strings, misaligned pointers                                               */
/* ------------------------------------------------------------------------------------------ */

#define SENTINEL 0xA5

/* A length above PTRDIFF_MAX that must be rejected before any slice is built. */
#define HUGE_LEN ((size_t)PTRDIFF_MAX + 1)

static void fill(void *p, size_t n) { memset(p, SENTINEL, n); }

static bool filled(const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        if (b[i] != SENTINEL) {
            return false;
        }
    }
    return true;
}

#define FILL(x) fill(&(x), sizeof(x))
#define FILLED(x) filled(&(x), sizeof(x))

/* A bool written by the library, read through its bytes: -1 when it is neither 0 nor 1
 * (e.g. still the sentinel), so a missing write never becomes an invalid bool load. */
static int bool_value(const bool *b)
{
    unsigned char byte;
    memcpy(&byte, b, 1);
    return byte <= 1 ? (int)byte : -1;
}

static const uint8_t *u8(const char *s) { return (const uint8_t *)s; }

/* (s, strlen(s)); NULL gives (NULL, 0). */
static etagcore_bytes bstr(const char *s)
{
    etagcore_bytes b = { u8(s), s != NULL ? strlen(s) : 0 };
    return b;
}

static etagcore_field field_of(const etagcore_bytes *lines, size_t count)
{
    etagcore_field f = { lines, count };
    return f;
}

/* A pointer `offset` bytes past `base`, made through an integer (implementation-defined, not
 * undefined, when misaligned). For passing to the library only: never dereferenced here. */
static void *offset_ptr(void *base, size_t offset) { return (void *)((uintptr_t)base + offset); }

/* An output buffer with room to spare, and its length out-parameter. */
enum { BUF_CAP = 1024 };
typedef struct out_buf {
    uint8_t bytes[BUF_CAP];
    size_t len;
} out_buf;

static void buf_reset(out_buf *b) { fill(b, sizeof *b); }

/* Nothing written: every byte and the length still hold the sentinel. */
static bool buf_untouched(const out_buf *b) { return filled(b, sizeof *b); }

/* Exactly `want` written, its length stored, and every byte after it untouched. */
static bool buf_holds(const out_buf *b, const char *want)
{
    size_t n = strlen(want);
    return n <= BUF_CAP && b->len == n && memcmp(b->bytes, want, n) == 0 &&
           filled(b->bytes + n, BUF_CAP - n);
}

/* ------------------------------------------------------------------------------------------ */
/* The output-buffer contract, shared by every function that writes bytes                     */
/* ------------------------------------------------------------------------------------------ */

/* One of the writing functions with its other arguments bound in `args`. */
typedef etagcore_result (*write_fn)(const void *args, uint8_t *out, size_t out_cap,
                                    size_t *out_len);

/*
 * Checks a call that must succeed with exactly `want`: ample and exact capacity succeed and
 * write `want` alone; one-too-small and zero capacity, (NULL, 0), NULL with a capacity, a NULL
 * or misaligned out_len and a capacity above PTRDIFF_MAX fail and write nothing.
 */
static void check_writer(const char *label, write_fn write, const void *args, const char *want)
{
    const char *saved = g_case;
    const size_t n = strlen(want);
    out_buf b;
    size_t lens[2];
    size_t *misaligned_len = offset_ptr(lens, 1);
    g_case = label;

    buf_reset(&b);
    CHECK_RC(write(args, b.bytes, BUF_CAP, &b.len), OK);
    CHECK(buf_holds(&b, want));

    buf_reset(&b);
    CHECK_RC(write(args, b.bytes, n, &b.len), OK);
    CHECK(buf_holds(&b, want));

    buf_reset(&b);
    CHECK_RC(write(args, b.bytes, n - 1, &b.len), INSUFFICIENT_SIZE);
    CHECK(buf_untouched(&b));

    buf_reset(&b);
    CHECK_RC(write(args, b.bytes, 0, &b.len), INSUFFICIENT_SIZE);
    CHECK(buf_untouched(&b));

    buf_reset(&b);
    CHECK_RC(write(args, NULL, 0, &b.len), INSUFFICIENT_SIZE);
    CHECK(buf_untouched(&b));

    buf_reset(&b);
    CHECK_RC(write(args, NULL, n, &b.len), NULL_PARAMETER);
    CHECK(buf_untouched(&b));

    buf_reset(&b);
    CHECK_RC(write(args, b.bytes, BUF_CAP, NULL), NULL_PARAMETER);
    CHECK(buf_untouched(&b));

    buf_reset(&b);
    CHECK_RC(write(args, b.bytes, SIZE_MAX, &b.len), INVALID_INPUT);
    CHECK(buf_untouched(&b));

    buf_reset(&b);
    CHECK_RC(write(args, b.bytes, HUGE_LEN, &b.len), INVALID_INPUT);
    CHECK(buf_untouched(&b));

    buf_reset(&b);
    FILL(lens);
    CHECK_RC(write(args, b.bytes, BUF_CAP, misaligned_len), INVALID_INPUT);
    CHECK(buf_untouched(&b));
    CHECK(FILLED(lens));

    g_case = saved;
}

/* Checks a call that must fail with `want_rc` whatever the buffer, writing nothing. */
static void check_writer_fails(const char *label, write_fn write, const void *args,
                               etagcore_result want_rc)
{
    const char *saved = g_case;
    out_buf b;
    g_case = label;

    buf_reset(&b);
    CHECK_RC(write(args, b.bytes, BUF_CAP, &b.len), want_rc);
    CHECK(buf_untouched(&b));

    g_case = saved;
}

struct bytes_args {
    const uint8_t *data;
    size_t len;
    bool weak;
};

static etagcore_result write_content_tag(const void *p, uint8_t *out, size_t cap, size_t *out_len)
{
    const struct bytes_args *a = p;
    return etagcore_content_tag_compute(a->data, a->len, a->weak, out, cap, out_len);
}

static etagcore_result write_digest_tag(const void *p, uint8_t *out, size_t cap, size_t *out_len)
{
    const struct bytes_args *a = p;
    return etagcore_digest_tag_format(a->data, a->len, a->weak, out, cap, out_len);
}

struct finish_args {
    const etagcore_hasher *hasher;
    bool weak;
};

static etagcore_result write_hasher_finish(const void *p, uint8_t *out, size_t cap,
                                           size_t *out_len)
{
    const struct finish_args *a = p;
    return etagcore_hasher_finish(a->hasher, a->weak, out, cap, out_len);
}

static etagcore_result write_http_date(const void *p, uint8_t *out, size_t cap, size_t *out_len)
{
    const int64_t *secs = p;
    return etagcore_http_date_format(*secs, out, cap, out_len);
}

static etagcore_result write_entity_tag(const void *p, uint8_t *out, size_t cap, size_t *out_len)
{
    return etagcore_entity_tag_format(p, out, cap, out_len);
}

/* ------------------------------------------------------------------------------------------ */
/* The header's constants                                                                     */
/* ------------------------------------------------------------------------------------------ */

_Static_assert(_Alignof(etagcore_hasher) == ETAGCORE_HASHER_ALIGN, "hasher alignment");
_Static_assert(sizeof(etagcore_hasher) == ETAGCORE_HASHER_SIZE, "hasher size");
_Static_assert(ETAGCORE_CONTENT_TAG_LEN == 34, "strong content tag length");
_Static_assert(ETAGCORE_CONTENT_TAG_WEAK_LEN == ETAGCORE_CONTENT_TAG_LEN + 2, "W/ prefix");
_Static_assert(ETAGCORE_HTTP_DATE_LEN == sizeof("Sun, 06 Nov 1994 08:49:37 GMT") - 1, "date");
_Static_assert(ETAGCORE_DECISION_PERFORM == 200, "200");
_Static_assert(ETAGCORE_DECISION_SERVE_RANGE == 206, "206");
_Static_assert(ETAGCORE_DECISION_NOT_MODIFIED == 304, "304");
_Static_assert(ETAGCORE_DECISION_PRECONDITION_FAILED == 412, "412");
_Static_assert(ETAGCORE_RESULT_OK == 0, "OK is 0");
_Static_assert(ETAGCORE_RESULT_HASHER_NOT_INITIALISED == 6, "result codes keep their numbers");
_Static_assert(ETAGCORE_RESULT_INTERNAL_ERROR == 7, "result codes keep their numbers");
/* Written for the 0.2 ABI (etagcore_representation, uint8_t flags, list_match by pointer): a
 * header of 0.1 must not pass for it. */
_Static_assert(ETAGCORE_VERSION_NUMBER >= 0x000200, "the 0.2 ABI or later");
_Static_assert(ETAGCORE_VERSION_NUMBER ==
                   ((ETAGCORE_VERSION_MAJOR << 16) | (ETAGCORE_VERSION_MINOR << 8) |
                    ETAGCORE_VERSION_PATCH),
               "0xMMmmpp");
_Static_assert(ETAGCORE_COMPARISON_STRONG == 0 && ETAGCORE_COMPARISON_WEAK == 1, "comparisons");

#if !defined(ETAGCORE_VERSION_NUMBER) || ETAGCORE_VERSION_NUMBER < 0
#error "ETAGCORE_VERSION_NUMBER must be usable in #if"
#endif

/* ------------------------------------------------------------------------------------------ */
/* etagcore_entity_tag_parse                                                                  */
/* ------------------------------------------------------------------------------------------ */

#define LIT(s) s, sizeof(s) - 1

static void test_entity_tag_parse(void)
{
    static const struct {
        const char *in;
        size_t len;
        bool weak;
        size_t offset; /* where the opaque bytes start in `in` */
        size_t opaque_len;
    } valid[] = {
        { LIT("\"xyzzy\""), false, 1, 5 },
        { LIT("W/\"xyzzy\""), true, 3, 5 },
        { LIT(" \t\"a,b\" \t"), false, 3, 3 }, /* OWS around the value is not part of it */
        { LIT("\"\""), false, 1, 0 },
        { LIT("W/\"\""), true, 3, 0 },
        { LIT("\"*\""), false, 1, 1 },
        { LIT("\"W/a\""), false, 1, 3 },
        { LIT("\"\x80\xff!\""), false, 1, 3 }, /* obs-text */
        { "\"ab\"XYZ", 4, false, 1, 2 },        /* only `len` bytes count */
    };
    static const struct {
        const char *in;
        size_t len;
    } invalid[] = {
        { LIT("") },
        { LIT("xyzzy") },
        { LIT("w/\"x\"") },
        { LIT("W/x") },
        { LIT("W/") },
        { LIT("\"") },
        { LIT("\"abc") },
        { LIT("\"a\" \"b\"") },
        { LIT("\"a\", \"b\"") },
        { LIT("\"a b\"") },
        { LIT("\"a\0b\"") },
        { LIT("\"\x7f\"") },
        { LIT("\"a\"\"") },
        { LIT("W/ \"a\"") },
        { "\"xyzzy\"", 6 }, /* the closing quote lies past `len` */
    };
    static const char xyzzy[] = "\"xyzzy\"";
    etagcore_entity_tag tag;
    unsigned char raw[2 * sizeof(etagcore_entity_tag)];
    g_area = "entity_tag_parse";

    for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++) {
        const uint8_t *in = u8(valid[i].in);
        FILL(tag);
        g_case = valid[i].in;
        CHECK_RC(etagcore_entity_tag_parse(in, valid[i].len, &tag), OK);
        CHECK(tag.weak == valid[i].weak);
        CHECK(tag.opaque_len == valid[i].opaque_len);
        if (valid[i].opaque_len > 0) {
            CHECK(tag.opaque == in + valid[i].offset); /* a view into the input, no copy */
        } else {
            CHECK(tag.opaque >= in && tag.opaque <= in + valid[i].len);
        }
    }
    for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
        FILL(tag);
        g_case = invalid[i].in;
        CHECK_RC(etagcore_entity_tag_parse(u8(invalid[i].in), invalid[i].len, &tag),
                 ETAGCORE_RESULT_INVALID_ENTITY_TAG);
        CHECK(FILLED(tag));
    }
    g_case = "";

    /* (NULL, 0) is the empty string: not an entity-tag. */
    FILL(tag);
    CHECK_RC(etagcore_entity_tag_parse(NULL, 0, &tag), ETAGCORE_RESULT_INVALID_ENTITY_TAG);
    CHECK(FILLED(tag));

    FILL(tag);
    CHECK_RC(etagcore_entity_tag_parse(NULL, 7, &tag), NULL_PARAMETER);
    CHECK(FILLED(tag));
    CHECK_RC(etagcore_entity_tag_parse(u8(xyzzy), 7, NULL), NULL_PARAMETER);

    FILL(tag);
    CHECK_RC(etagcore_entity_tag_parse(u8(xyzzy), SIZE_MAX, &tag), INVALID_INPUT);
    CHECK_RC(etagcore_entity_tag_parse(u8(xyzzy), HUGE_LEN, &tag), INVALID_INPUT);
    CHECK(FILLED(tag));

    FILL(raw);
    CHECK_RC(etagcore_entity_tag_parse(u8(xyzzy), 7, offset_ptr(raw, 1)), INVALID_INPUT);
    CHECK(FILLED(raw));
}

/* ------------------------------------------------------------------------------------------ */
/* etagcore_entity_tag_format                                                                 */
/* ------------------------------------------------------------------------------------------ */

static etagcore_entity_tag make_tag(bool weak, const char *opaque)
{
    etagcore_entity_tag t = { u8(opaque), opaque != NULL ? strlen(opaque) : 0, weak };
    return t;
}

static void test_entity_tag_format(void)
{
    static const char *const round_trips[] = { "\"xyzzy\"", "W/\"xyzzy\"", "\"\"", "W/\"\"",
                                               "\"a,b\"", "\"\x80\xff!\"" };
    etagcore_entity_tag weak = make_tag(true, "xyzzy");
    etagcore_entity_tag strong = make_tag(false, "xyzzy");
    etagcore_entity_tag empty = make_tag(false, NULL);
    etagcore_entity_tag empty_weak = make_tag(true, NULL);
    etagcore_entity_tag bad_space = make_tag(false, "a b");
    etagcore_entity_tag bad_quote = make_tag(true, "a\"b");
    etagcore_entity_tag bad_del = make_tag(false, "\x7f");
    etagcore_entity_tag null_opaque = { NULL, 3, false };
    etagcore_entity_tag huge = { u8("xyzzy"), SIZE_MAX, false };
    unsigned char raw[2 * sizeof(etagcore_entity_tag)];
    out_buf b;
    g_area = "entity_tag_format";

    check_writer("weak", write_entity_tag, &weak, "W/\"xyzzy\"");
    check_writer("strong", write_entity_tag, &strong, "\"xyzzy\"");
    check_writer("(NULL, 0) opaque", write_entity_tag, &empty, "\"\"");
    check_writer("(NULL, 0) opaque, weak", write_entity_tag, &empty_weak, "W/\"\"");

    check_writer_fails("space", write_entity_tag, &bad_space, ETAGCORE_RESULT_INVALID_ENTITY_TAG);
    check_writer_fails("quote", write_entity_tag, &bad_quote, ETAGCORE_RESULT_INVALID_ENTITY_TAG);
    check_writer_fails("DEL", write_entity_tag, &bad_del, ETAGCORE_RESULT_INVALID_ENTITY_TAG);
    check_writer_fails("NULL opaque, len 3", write_entity_tag, &null_opaque, NULL_PARAMETER);
    check_writer_fails("opaque_len SIZE_MAX", write_entity_tag, &huge, INVALID_INPUT);

    buf_reset(&b);
    CHECK_RC(etagcore_entity_tag_format(NULL, b.bytes, BUF_CAP, &b.len), NULL_PARAMETER);
    CHECK(buf_untouched(&b));

    buf_reset(&b);
    FILL(raw);
    CHECK_RC(etagcore_entity_tag_format(offset_ptr(raw, 1), b.bytes, BUF_CAP, &b.len),
             INVALID_INPUT);
    CHECK(buf_untouched(&b));

    /* parse then format gives back the field value. */
    for (size_t i = 0; i < sizeof round_trips / sizeof round_trips[0]; i++) {
        const char *in = round_trips[i];
        etagcore_entity_tag t;
        g_case = in;
        CHECK_RC(etagcore_entity_tag_parse(u8(in), strlen(in), &t), OK);
        buf_reset(&b);
        CHECK_RC(etagcore_entity_tag_format(&t, b.bytes, BUF_CAP, &b.len), OK);
        CHECK(buf_holds(&b, in));
    }
    g_case = "";
}

/* ------------------------------------------------------------------------------------------ */
/* etagcore_entity_tag_compare                                                                */
/* ------------------------------------------------------------------------------------------ */

/* etagcore_entity_tag_compare into *answer (0 or 1; -1 when not written as a bool). On failure,
 * checks that the out-parameter was left alone. */
static etagcore_result compare(const etagcore_entity_tag *a, const etagcore_entity_tag *b,
                               uint32_t kind, int *answer)
{
    bool out;
    etagcore_result rc;
    FILL(out);
    rc = etagcore_entity_tag_compare(a, b, kind, &out);
    *answer = -2;
    if (rc == OK) {
        *answer = bool_value(&out);
    } else {
        CHECK(FILLED(out));
    }
    return rc;
}

static void test_entity_tag_compare(void)
{
    /* RFC 9110 section 8.8.3.2, and a few more. */
    static const struct {
        bool weak_a;
        const char *a;
        bool weak_b;
        const char *b;
        int strong;
        int weak;
    } table[] = {
        { true, "1", true, "1", 0, 1 },
        { true, "1", true, "2", 0, 0 },
        { true, "1", false, "1", 0, 1 },
        { false, "1", false, "1", 1, 1 },
        { false, "1", false, "2", 0, 0 },
        { false, "1", false, "12", 0, 0 },
        { false, "", false, "", 1, 1 },
        { false, "xyzzy", true, "xyzzy", 0, 1 },
    };
    etagcore_entity_tag one = make_tag(false, "1");
    etagcore_entity_tag empty = make_tag(false, NULL);
    etagcore_entity_tag bad = make_tag(false, "a b");
    etagcore_entity_tag null_opaque = { NULL, 1, false };
    etagcore_entity_tag huge = { u8("1"), SIZE_MAX, false };
    unsigned char raw[2 * sizeof(etagcore_entity_tag)];
    int m;
    g_area = "entity_tag_compare";

    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        etagcore_entity_tag a = make_tag(table[i].weak_a, table[i].a);
        etagcore_entity_tag b = make_tag(table[i].weak_b, table[i].b);
        g_case = table[i].a;
        CHECK_RC(compare(&a, &b, ETAGCORE_COMPARISON_STRONG, &m), OK);
        CHECK(m == table[i].strong);
        CHECK_RC(compare(&b, &a, ETAGCORE_COMPARISON_STRONG, &m), OK);
        CHECK(m == table[i].strong);
        CHECK_RC(compare(&a, &b, ETAGCORE_COMPARISON_WEAK, &m), OK);
        CHECK(m == table[i].weak);
        CHECK_RC(compare(&b, &a, ETAGCORE_COMPARISON_WEAK, &m), OK);
        CHECK(m == table[i].weak);
    }
    g_case = "";

    /* (NULL, 0) opaque bytes are the empty string, equal to "". */
    {
        etagcore_entity_tag quoted_empty;
        CHECK_RC(etagcore_entity_tag_parse(u8("\"\""), 2, &quoted_empty), OK);
        CHECK_RC(compare(&empty, &quoted_empty, ETAGCORE_COMPARISON_STRONG, &m), OK);
        CHECK(m == 1);
    }
    CHECK_RC(compare(&one, &one, ETAGCORE_COMPARISON_STRONG, &m), OK);
    CHECK(m == 1);

    CHECK_RC(compare(&one, &one, 2, &m), INVALID_INPUT);
    CHECK_RC(compare(&one, &one, 7, &m), INVALID_INPUT);
    CHECK_RC(compare(&one, &one, UINT32_MAX, &m), INVALID_INPUT);

    CHECK_RC(compare(&bad, &one, ETAGCORE_COMPARISON_WEAK, &m), ETAGCORE_RESULT_INVALID_ENTITY_TAG);
    CHECK_RC(compare(&one, &bad, ETAGCORE_COMPARISON_WEAK, &m), ETAGCORE_RESULT_INVALID_ENTITY_TAG);

    CHECK_RC(compare(NULL, &one, ETAGCORE_COMPARISON_STRONG, &m), NULL_PARAMETER);
    CHECK_RC(compare(&one, NULL, ETAGCORE_COMPARISON_STRONG, &m), NULL_PARAMETER);
    CHECK_RC(compare(&null_opaque, &one, ETAGCORE_COMPARISON_STRONG, &m), NULL_PARAMETER);
    CHECK_RC(compare(&one, &null_opaque, ETAGCORE_COMPARISON_STRONG, &m), NULL_PARAMETER);
    CHECK_RC(etagcore_entity_tag_compare(&one, &one, ETAGCORE_COMPARISON_STRONG, NULL),
             NULL_PARAMETER);

    CHECK_RC(compare(&huge, &one, ETAGCORE_COMPARISON_STRONG, &m), INVALID_INPUT);

    FILL(raw);
    CHECK_RC(compare(offset_ptr(raw, 1), &one, ETAGCORE_COMPARISON_STRONG, &m), INVALID_INPUT);
    CHECK(FILLED(raw));
    FILL(raw);
    CHECK_RC(etagcore_entity_tag_compare(&one, &one, ETAGCORE_COMPARISON_STRONG,
                                         offset_ptr(raw, 1)),
             OK); /* bool has alignment 1: any address is aligned */
    CHECK(raw[0] == SENTINEL && raw[1] == 1 && raw[2] == SENTINEL);
}

/* ------------------------------------------------------------------------------------------ */
/* etagcore_list_match                                                                        */
/* ------------------------------------------------------------------------------------------ */

#define XYZZY "\"xyzzy\""

static etagcore_representation representation(const char *etag, bool has_last_modified,
                                              int64_t last_modified)
{
    etagcore_representation r = { bstr(etag), has_last_modified, last_modified };
    return r;
}

/* etagcore_list_match of a field pointer into *answer, as compare() does. */
static etagcore_result list_match_raw(const etagcore_field *f,
                                      const etagcore_representation *current, uint32_t kind,
                                      int *answer)
{
    bool out;
    etagcore_result rc;
    FILL(out);
    rc = etagcore_list_match(f, current, kind, &out);
    *answer = -2;
    if (rc == OK) {
        *answer = bool_value(&out);
    } else {
        CHECK(FILLED(out));
    }
    return rc;
}

/* etagcore_list_match of a field passed by value here. */
static etagcore_result list_match(etagcore_field f, const etagcore_representation *current,
                                  uint32_t kind, int *answer)
{
    return list_match_raw(&f, current, kind, answer);
}

static void test_list_match(void)
{
    const uint32_t strong = ETAGCORE_COMPARISON_STRONG;
    const uint32_t weak = ETAGCORE_COMPARISON_WEAK;
    const etagcore_representation cur = representation(XYZZY, false, 0);
    const etagcore_representation cur_weak = representation("W/" XYZZY, false, 0);
    const etagcore_representation no_etag = representation(NULL, false, 0);
    const etagcore_representation bad_etag = representation("xyzzy", false, 0);
    const etagcore_representation null_etag = { { NULL, 4 }, false, 0 };
    etagcore_bytes one[1] = { bstr("\"r2d2\", W/" XYZZY) };
    etagcore_bytes two[2] = { bstr("\"r2d2\""), bstr(XYZZY) };
    etagcore_bytes none[2] = { bstr("\"a\""), bstr("\"b\"") };
    etagcore_bytes star[1] = { bstr("*") };
    etagcore_bytes star_ows[1] = { bstr(" \t* ") };
    etagcore_bytes empty_line[1] = { { NULL, 0 } };
    etagcore_bytes with_empty[3] = { { NULL, 0 }, bstr(""), bstr(XYZZY) };
    etagcore_bytes null_line[2] = { bstr(XYZZY), { NULL, 3 } };
    etagcore_bytes huge_line[1] = { { u8(XYZZY), SIZE_MAX } };
    etagcore_bytes plain[1] = { bstr(XYZZY) };
    etagcore_bytes malformed[][2] = {
        { bstr(XYZZY ", garbage"), { NULL, 0 } },
        { bstr("*, \"a\""), { NULL, 0 } },
        { bstr("\"a\" \"b\""), { NULL, 0 } },
        { bstr("xyzzy"), { NULL, 0 } },
    };
    etagcore_bytes split_quote[2] = { bstr("\"xyz"), bstr("zy\"") };
    etagcore_bytes two_stars[2] = { bstr("*"), bstr("*") };
    char commas_63[64];
    char commas_64[65];
    etagcore_bytes c63[1];
    etagcore_bytes c64[1];
    etagcore_bytes many[ETAGCORE_MAX_FIELD_LINES + 1];
    int m;
    g_area = "list_match";

    CHECK_RC(list_match(field_of(one, 1), &cur, weak, &m), OK);
    CHECK(m == 1);
    CHECK_RC(list_match(field_of(one, 1), &cur, strong, &m), OK);
    CHECK(m == 0);
    CHECK_RC(list_match(field_of(two, 2), &cur, strong, &m), OK); /* the second line matches */
    CHECK(m == 1);
    CHECK_RC(list_match(field_of(two, 1), &cur, strong, &m), OK); /* only `count` lines count */
    CHECK(m == 0);
    CHECK_RC(list_match(field_of(none, 2), &cur, weak, &m), OK);
    CHECK(m == 0);
    CHECK_RC(list_match(field_of(plain, 1), &cur_weak, weak, &m), OK);
    CHECK(m == 1);
    CHECK_RC(list_match(field_of(plain, 1), &cur_weak, strong, &m), OK);
    CHECK(m == 0);
    CHECK_RC(list_match(field_of(plain, 1), &no_etag, weak, &m), OK);
    CHECK(m == 0);
    CHECK_RC(list_match(field_of(plain, 1), NULL, weak, &m), OK);
    CHECK(m == 0);

    /* "*" matches any current representation, and nothing when there is none. */
    CHECK_RC(list_match(field_of(star, 1), NULL, strong, &m), OK);
    CHECK(m == 0);
    CHECK_RC(list_match(field_of(star, 1), &no_etag, strong, &m), OK);
    CHECK(m == 1);
    CHECK_RC(list_match(field_of(star_ows, 1), &cur, weak, &m), OK);
    CHECK(m == 1);

    /* An absent field matches nothing; (NULL, 0) lines are empty values. */
    CHECK_RC(list_match(field_of(NULL, 0), &cur, weak, &m), OK);
    CHECK(m == 0);
    CHECK_RC(list_match(field_of(empty_line, 1), &cur, weak, &m), OK);
    CHECK(m == 0);
    CHECK_RC(list_match(field_of(with_empty, 3), &cur, weak, &m), OK);
    CHECK(m == 1);

    for (size_t i = 0; i < sizeof malformed / sizeof malformed[0]; i++) {
        g_case = (const char *)malformed[i][0].ptr;
        CHECK_RC(list_match(field_of(malformed[i], 1), &cur, weak, &m),
                 ETAGCORE_RESULT_INVALID_LIST);
    }
    g_case = "";
    CHECK_RC(list_match(field_of(split_quote, 2), &cur, weak, &m), ETAGCORE_RESULT_INVALID_LIST);
    CHECK_RC(list_match(field_of(two_stars, 2), &cur, weak, &m), ETAGCORE_RESULT_INVALID_LIST);

    /* 63 commas are 64 empty elements, the most allowed; 64 commas are one too many. */
    memset(commas_63, ',', sizeof commas_63);
    commas_63[63] = '\0';
    memset(commas_64, ',', sizeof commas_64);
    commas_64[64] = '\0';
    c63[0] = bstr(commas_63);
    c64[0] = bstr(commas_64);
    CHECK_RC(list_match(field_of(c63, 1), &cur, weak, &m), OK);
    CHECK(m == 0);
    CHECK_RC(list_match(field_of(c64, 1), &cur, weak, &m),
             ETAGCORE_RESULT_TOO_MANY_EMPTY_ELEMENTS);

    /* ETAGCORE_MAX_FIELD_LINES lines are read to the last; one more is refused. */
    for (size_t i = 0; i < ETAGCORE_MAX_FIELD_LINES + 1; i++) {
        many[i] = bstr("\"r2d2\"");
    }
    many[ETAGCORE_MAX_FIELD_LINES - 1] = bstr(XYZZY);
    CHECK_RC(list_match(field_of(many, ETAGCORE_MAX_FIELD_LINES), &cur, strong, &m), OK);
    CHECK(m == 1);
    CHECK_RC(list_match(field_of(many, ETAGCORE_MAX_FIELD_LINES + 1), &cur, strong, &m),
             ETAGCORE_RESULT_TOO_MANY_FIELD_LINES);

    CHECK_RC(list_match(field_of(plain, 1), &cur, 2, &m), INVALID_INPUT);
    CHECK_RC(list_match(field_of(plain, 1), &cur, 7, &m), INVALID_INPUT);
    CHECK_RC(list_match(field_of(NULL, 1), &cur, weak, &m), NULL_PARAMETER);
    CHECK_RC(list_match(field_of(null_line, 2), &cur, weak, &m), NULL_PARAMETER);
    CHECK_RC(list_match(field_of(huge_line, 1), &cur, weak, &m), INVALID_INPUT);
    CHECK_RC(list_match(field_of(plain, 1), &bad_etag, weak, &m),
             ETAGCORE_RESULT_INVALID_ENTITY_TAG);
    CHECK_RC(list_match(field_of(plain, 1), &null_etag, weak, &m), NULL_PARAMETER);
    {
        /* The field is taken by pointer, like every other struct: NULL, misaligned, and never
         * written. */
        const etagcore_field f = field_of(plain, 1);
        etagcore_field copy = f;
        unsigned char raw[2 * sizeof(etagcore_field)];
        bool out = false;
        CHECK_RC(etagcore_list_match(&copy, &cur, weak, NULL), NULL_PARAMETER);
        CHECK_RC(list_match_raw(NULL, &cur, weak, &m), NULL_PARAMETER);
        FILL(raw);
        CHECK_RC(list_match_raw(offset_ptr(raw, 1), &cur, weak, &m), INVALID_INPUT);
        CHECK(FILLED(raw));
        CHECK_RC(etagcore_list_match(&copy, &cur, weak, &out), OK);
        CHECK(bool_value(&out) == 1);
        CHECK(memcmp(&copy, &f, sizeof f) == 0);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* etagcore_request_evaluate                                                                  */
/* ------------------------------------------------------------------------------------------ */

#define NOW INT64_C(1767225600) /* Thu, 01 Jan 2026 00:00:00 GMT */
#define LAST_MODIFIED INT64_C(1445412480)
#define AT_LM "Wed, 21 Oct 2015 07:28:00 GMT"
#define BEFORE_LM "Wed, 21 Oct 2015 07:27:59 GMT"

static etagcore_request request(const char *method)
{
    etagcore_request r;
    memset(&r, 0, sizeof r);
    r.method = bstr(method);
    return r;
}

/* etagcore_request_evaluate; the decision, or 0 after a failure (checked to write nothing). */
static etagcore_result evaluate(const etagcore_request *req, const etagcore_representation *current,
                                etagcore_decision *decision)
{
    etagcore_decision out;
    etagcore_result rc;
    FILL(out);
    rc = etagcore_request_evaluate(req, current, NOW, &out);
    *decision = 0;
    if (rc == OK) {
        *decision = out;
    } else {
        CHECK(FILLED(out));
    }
    return rc;
}

/* The decision for `req`, or 0 when the call fails. */
static uint32_t decide(const etagcore_request *req, const etagcore_representation *current)
{
    etagcore_decision d;
    CHECK_RC(evaluate(req, current, &d), OK);
    return d;
}

static etagcore_field *request_field(etagcore_request *r, size_t i)
{
    etagcore_field *fields[] = { &r->if_match, &r->if_none_match, &r->if_modified_since,
                                 &r->if_unmodified_since, &r->if_range };
    return fields[i];
}

static void test_request_evaluate(void)
{
    const etagcore_representation cur = representation(XYZZY, true, LAST_MODIFIED);
    const etagcore_representation no_etag = representation(NULL, true, LAST_MODIFIED);
    const etagcore_representation bad_etag = representation("xyzzy", true, LAST_MODIFIED);
    const etagcore_representation ows_etag = representation("  ", true, LAST_MODIFIED);
    const etagcore_representation null_etag = { { NULL, 7 }, true, LAST_MODIFIED };
    const etagcore_representation huge_etag = { { u8(XYZZY), SIZE_MAX }, true, LAST_MODIFIED };
    const etagcore_representation unknown_lm = representation(XYZZY, false, LAST_MODIFIED);
    etagcore_bytes match[1] = { bstr(XYZZY) };
    etagcore_bytes weak_match[1] = { bstr("W/" XYZZY) };
    etagcore_bytes miss[1] = { bstr("\"r2d2\"") };
    etagcore_bytes miss_then_match[2] = { bstr("\"r2d2\""), bstr(XYZZY) };
    etagcore_bytes star[1] = { bstr("*") };
    etagcore_bytes garbage[1] = { bstr("xyzzy") };
    etagcore_bytes at_lm[1] = { bstr(AT_LM) };
    etagcore_bytes before_lm[1] = { bstr(BEFORE_LM) };
    etagcore_bytes null_line[1] = { { NULL, 5 } };
    etagcore_bytes huge_line[1] = { { u8(XYZZY), SIZE_MAX } };
    etagcore_bytes many[ETAGCORE_MAX_FIELD_LINES + 1];
    const char *const exempt[] = { "OPTIONS", "CONNECT", "TRACE" };
    etagcore_request r;
    etagcore_decision d;
    g_area = "request_evaluate";

    r = request("GET");
    CHECK(decide(&r, &cur) == ETAGCORE_DECISION_PERFORM);

    /* If-None-Match: weak comparison, 304 for GET and HEAD, 412 otherwise. */
    r = request("GET");
    r.if_none_match = field_of(match, 1);
    CHECK(decide(&r, &cur) == ETAGCORE_DECISION_NOT_MODIFIED);
    CHECK(decide(&r, &cur) == 304);
    r.if_none_match = field_of(weak_match, 1);
    CHECK(decide(&r, &cur) == ETAGCORE_DECISION_NOT_MODIFIED);
    r.if_none_match = field_of(miss_then_match, 2);
    CHECK(decide(&r, &cur) == ETAGCORE_DECISION_NOT_MODIFIED);
    r.if_none_match = field_of(miss, 1);
    CHECK(decide(&r, &cur) == ETAGCORE_DECISION_PERFORM);
    r.if_none_match = field_of(garbage, 1); /* malformed If-None-Match: true */
    CHECK(decide(&r, &cur) == ETAGCORE_DECISION_PERFORM);
    r = request("HEAD");
    r.if_none_match = field_of(match, 1);
    CHECK(decide(&r, &cur) == ETAGCORE_DECISION_NOT_MODIFIED);
    r = request("PUT");
    r.if_none_match = field_of(match, 1);
    CHECK(decide(&r, &cur) == ETAGCORE_DECISION_PRECONDITION_FAILED);

    /* Methods are case-sensitive; (NULL, 0) is an empty, unknown method. */
    r = request("get");
    r.if_none_match = field_of(match, 1);
    CHECK(decide(&r, &cur) == ETAGCORE_DECISION_PRECONDITION_FAILED);
    r = request(NULL);
    r.if_none_match = field_of(match, 1);
    CHECK(decide(&r, &cur) == ETAGCORE_DECISION_PRECONDITION_FAILED);

    /* If-Match: strong comparison. */
    r = request("PUT");
    r.if_match = field_of(miss, 1);
    CHECK(decide(&r, &cur) == ETAGCORE_DECISION_PRECONDITION_FAILED);
    CHECK(decide(&r, &cur) == 412);
    r.if_match = field_of(weak_match, 1);
    CHECK(decide(&r, &cur) == ETAGCORE_DECISION_PRECONDITION_FAILED);
    r.if_match = field_of(garbage, 1); /* malformed If-Match: false */
    CHECK(decide(&r, &cur) == ETAGCORE_DECISION_PRECONDITION_FAILED);
    r.if_match = field_of(miss_then_match, 2);
    CHECK(decide(&r, &cur) == ETAGCORE_DECISION_PERFORM);
    r.if_match = field_of(star, 1);
    CHECK(decide(&r, &cur) == ETAGCORE_DECISION_PERFORM);
    CHECK(decide(&r, NULL) == ETAGCORE_DECISION_PRECONDITION_FAILED);

    /* If-None-Match: * with no current representation holds (create-only PUT). */
    r = request("PUT");
    r.if_none_match = field_of(star, 1);
    CHECK(decide(&r, NULL) == ETAGCORE_DECISION_PERFORM);
    CHECK(decide(&r, &cur) == ETAGCORE_DECISION_PRECONDITION_FAILED);
    r = request("GET");
    r.if_none_match = field_of(star, 1);
    CHECK(decide(&r, NULL) == ETAGCORE_DECISION_PERFORM);
    CHECK(decide(&r, &no_etag) == ETAGCORE_DECISION_NOT_MODIFIED);
    r.if_none_match = field_of(match, 1);
    CHECK(decide(&r, &no_etag) == ETAGCORE_DECISION_PERFORM);

    /* Dates. */
    r = request("GET");
    r.if_modified_since = field_of(at_lm, 1);
    CHECK(decide(&r, &cur) == ETAGCORE_DECISION_NOT_MODIFIED);
    CHECK(decide(&r, &unknown_lm) == ETAGCORE_DECISION_PERFORM);
    r.if_modified_since = field_of(before_lm, 1);
    CHECK(decide(&r, &cur) == ETAGCORE_DECISION_PERFORM);
    r = request("PUT");
    r.if_unmodified_since = field_of(before_lm, 1);
    CHECK(decide(&r, &cur) == ETAGCORE_DECISION_PRECONDITION_FAILED);
    r.if_unmodified_since = field_of(at_lm, 1);
    CHECK(decide(&r, &cur) == ETAGCORE_DECISION_PERFORM);

    /* Range. */
    r = request("GET");
    r.has_range = true;
    CHECK(decide(&r, &cur) == ETAGCORE_DECISION_SERVE_RANGE);
    CHECK(decide(&r, &cur) == 206);
    r.if_range = field_of(match, 1);
    CHECK(decide(&r, &cur) == ETAGCORE_DECISION_SERVE_RANGE);
    r.if_range = field_of(miss, 1);
    CHECK(decide(&r, &cur) == ETAGCORE_DECISION_PERFORM);
    r.if_range = field_of(at_lm, 1);
    CHECK(decide(&r, &cur) == ETAGCORE_DECISION_SERVE_RANGE);
    r = request("HEAD");
    r.has_range = true;
    CHECK(decide(&r, &cur) == ETAGCORE_DECISION_PERFORM);

    /* OPTIONS, CONNECT and TRACE ignore every condition. */
    for (size_t i = 0; i < sizeof exempt / sizeof exempt[0]; i++) {
        g_case = exempt[i];
        r = request(exempt[i]);
        r.if_match = field_of(miss, 1);
        r.if_none_match = field_of(star, 1);
        r.if_unmodified_since = field_of(before_lm, 1);
        CHECK(decide(&r, &cur) == ETAGCORE_DECISION_PERFORM);
        CHECK(decide(&r, &cur) == 200);
    }
    g_case = "";

    /* The resource's own etag must be a valid field value. */
    r = request("GET");
    r.if_none_match = field_of(match, 1);
    CHECK_RC(evaluate(&r, &bad_etag, &d), ETAGCORE_RESULT_INVALID_ENTITY_TAG);
    CHECK_RC(evaluate(&r, &ows_etag, &d), ETAGCORE_RESULT_INVALID_ENTITY_TAG);
    CHECK_RC(evaluate(&r, &null_etag, &d), NULL_PARAMETER);
    CHECK_RC(evaluate(&r, &huge_etag, &d), INVALID_INPUT);

    /* Field lines: up to ETAGCORE_MAX_FIELD_LINES, all read. */
    for (size_t i = 0; i < ETAGCORE_MAX_FIELD_LINES + 1; i++) {
        many[i] = bstr("\"r2d2\"");
    }
    many[ETAGCORE_MAX_FIELD_LINES - 1] = bstr(XYZZY);
    r = request("GET");
    r.if_none_match = field_of(many, ETAGCORE_MAX_FIELD_LINES);
    CHECK(decide(&r, &cur) == ETAGCORE_DECISION_NOT_MODIFIED);
    r = request("PUT");
    r.if_match = field_of(many, ETAGCORE_MAX_FIELD_LINES);
    CHECK(decide(&r, &cur) == ETAGCORE_DECISION_PERFORM);

    /* Every one of the five fields: too many lines, NULL lines, a NULL or huge line. */
    for (size_t i = 0; i < 5; i++) {
        static const char *const names[] = { "If-Match", "If-None-Match", "If-Modified-Since",
                                             "If-Unmodified-Since", "If-Range" };
        g_case = names[i];
        r = request("GET");
        r.has_range = true;
        *request_field(&r, i) = field_of(many, ETAGCORE_MAX_FIELD_LINES);
        CHECK_RC(evaluate(&r, &cur, &d), OK);
        *request_field(&r, i) = field_of(many, ETAGCORE_MAX_FIELD_LINES + 1);
        CHECK_RC(evaluate(&r, &cur, &d), ETAGCORE_RESULT_TOO_MANY_FIELD_LINES);
        *request_field(&r, i) = field_of(NULL, 1);
        CHECK_RC(evaluate(&r, &cur, &d), NULL_PARAMETER);
        *request_field(&r, i) = field_of(null_line, 1);
        CHECK_RC(evaluate(&r, &cur, &d), NULL_PARAMETER);
        *request_field(&r, i) = field_of(huge_line, 1);
        CHECK_RC(evaluate(&r, &cur, &d), INVALID_INPUT);
        *request_field(&r, i) = field_of(NULL, 0);
        CHECK_RC(evaluate(&r, &cur, &d), OK);
        CHECK(d == ETAGCORE_DECISION_SERVE_RANGE);
    }
    g_case = "";

    r = request("GET");
    CHECK_RC(evaluate(NULL, &cur, &d), NULL_PARAMETER);
    CHECK_RC(etagcore_request_evaluate(&r, &cur, NOW, NULL), NULL_PARAMETER);
    r.method.ptr = NULL; /* length 3 */
    CHECK_RC(evaluate(&r, &cur, &d), NULL_PARAMETER);
    r = request("GET");
    r.method.len = SIZE_MAX;
    CHECK_RC(evaluate(&r, &cur, &d), INVALID_INPUT);
}

/* ------------------------------------------------------------------------------------------ */
/* etagcore_decision_field_rule                                                               */
/* ------------------------------------------------------------------------------------------ */

/* etagcore_decision_field_rule for a NUL-terminated name; the rule, or 0xA5A5A5A5 unwritten. */
static etagcore_result field_rule(uint32_t decision, const char *name, bool has_etag,
                                  etagcore_field_rule *rule)
{
    etagcore_field_rule out;
    etagcore_result rc;
    FILL(out);
    rc = etagcore_decision_field_rule(decision, u8(name), name != NULL ? strlen(name) : 0,
                                      has_etag, &out);
    *rule = out;
    if (rc != OK) {
        CHECK(FILLED(out));
    }
    return rc;
}

static void test_decision_field_rule(void)
{
    static const struct {
        const char *name;
        bool has_etag;
        etagcore_field_rule rule;
    } at_304[] = {
        { "etag", true, ETAGCORE_FIELD_RULE_REQUIRED },
        { "ETag", false, ETAGCORE_FIELD_RULE_REQUIRED },
        { "VARY", true, ETAGCORE_FIELD_RULE_REQUIRED },
        { "Cache-Control", true, ETAGCORE_FIELD_RULE_REQUIRED },
        { "Content-Location", true, ETAGCORE_FIELD_RULE_REQUIRED },
        { "Date", false, ETAGCORE_FIELD_RULE_REQUIRED },
        { "Expires", false, ETAGCORE_FIELD_RULE_REQUIRED },
        { "Content-Length", true, ETAGCORE_FIELD_RULE_OMIT },
        { "content-type", false, ETAGCORE_FIELD_RULE_OMIT },
        { "Transfer-Encoding", true, ETAGCORE_FIELD_RULE_OMIT },
        { "Last-Modified", true, ETAGCORE_FIELD_RULE_OMIT },
        { "last-modified", false, ETAGCORE_FIELD_RULE_ALLOWED },
        { "Server", true, ETAGCORE_FIELD_RULE_ALLOWED },
        { "Set-Cookie", true, ETAGCORE_FIELD_RULE_ALLOWED },
        { "", true, ETAGCORE_FIELD_RULE_ALLOWED },
        { NULL, true, ETAGCORE_FIELD_RULE_ALLOWED },
    };
    static const uint32_t others[] = { ETAGCORE_DECISION_PERFORM, ETAGCORE_DECISION_SERVE_RANGE,
                                       ETAGCORE_DECISION_PRECONDITION_FAILED };
    static const uint32_t unknown[] = { 0, 1, 201, 404, 999, UINT32_MAX };
    etagcore_field_rule rule;
    g_area = "decision_field_rule";

    for (size_t i = 0; i < sizeof at_304 / sizeof at_304[0]; i++) {
        g_case = at_304[i].name != NULL ? at_304[i].name : "(NULL, 0)";
        CHECK_RC(field_rule(ETAGCORE_DECISION_NOT_MODIFIED, at_304[i].name, at_304[i].has_etag,
                            &rule),
                 OK);
        CHECK(rule == at_304[i].rule);
    }
    g_case = "";
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        CHECK_RC(field_rule(others[i], "ETag", true, &rule), OK);
        CHECK(rule == ETAGCORE_FIELD_RULE_ALLOWED);
        CHECK_RC(field_rule(others[i], "Content-Length", true, &rule), OK);
        CHECK(rule == ETAGCORE_FIELD_RULE_ALLOWED);
    }
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        CHECK_RC(field_rule(unknown[i], "ETag", true, &rule), INVALID_INPUT);
    }

    /* Only `name_len` bytes count: "ETagX" cut to 4 is "ETag". */
    rule = ETAGCORE_FIELD_RULE_ALLOWED;
    CHECK_RC(etagcore_decision_field_rule(304, u8("ETagX"), 4, true, &rule), OK);
    CHECK(rule == ETAGCORE_FIELD_RULE_REQUIRED);

    FILL(rule);
    CHECK_RC(etagcore_decision_field_rule(304, NULL, 4, true, &rule), NULL_PARAMETER);
    CHECK_RC(etagcore_decision_field_rule(304, u8("ETag"), SIZE_MAX, true, &rule), INVALID_INPUT);
    CHECK(FILLED(rule));
    CHECK_RC(etagcore_decision_field_rule(304, u8("ETag"), 4, true, NULL), NULL_PARAMETER);
}

/* ------------------------------------------------------------------------------------------ */
/* etagcore_http_date_parse and etagcore_http_date_format                                     */
/* ------------------------------------------------------------------------------------------ */

#define MIN_HTTP_DATE INT64_C(-62135596800)
#define MAX_HTTP_DATE INT64_C(253402300799)

static etagcore_result date_parse(const char *s, size_t len, int64_t now, int64_t *secs)
{
    int64_t out;
    etagcore_result rc;
    FILL(out);
    rc = etagcore_http_date_parse(u8(s), len, now, &out);
    *secs = out;
    if (rc != OK) {
        CHECK(FILLED(out));
    }
    return rc;
}

static void test_http_date_parse(void)
{
    static const struct {
        const char *in;
        int64_t now;
        int64_t secs;
    } valid[] = {
        { "Sun, 06 Nov 1994 08:49:37 GMT", NOW, 784111777 },
        { "Sunday, 06-Nov-94 08:49:37 GMT", NOW, 784111777 },
        { "Sun Nov  6 08:49:37 1994", NOW, 784111777 },
        { "Sun Nov 06 08:49:37 1994", NOW, 784111777 },
        { " \tSun, 06 Nov 1994 08:49:37 GMT\t ", NOW, 784111777 },
        { AT_LM, NOW, LAST_MODIFIED },
        { "Mon, 01 Jan 0001 00:00:00 GMT", NOW, MIN_HTTP_DATE },
        { "Fri, 31 Dec 9999 23:59:59 GMT", NOW, MAX_HTTP_DATE },
        { "Wed, 31 Dec 1969 23:59:60 GMT", NOW, 0 }, /* a leap second: the next day's first */
        /* `now` resolves two-digit years: 2070 is not more than 50 years after 2026... */
        { "Wednesday, 01-Jan-70 00:00:00 GMT", NOW, INT64_C(3155760000) },
        /* ...but is after 1970 + 50. */
        { "Thursday, 01-Jan-70 00:00:00 GMT", 0, 0 },
        /* The day-name is not checked against the date (RFC 9110 section 5.6.7: be robust). */
        { "Mon, 06 Nov 1994 08:49:37 GMT", NOW, 784111777 },
        { "Wednesday, 01-Jan-70 00:00:00 GMT", 0, 0 },
        { "Fri Nov  6 08:49:37 1994", NOW, 784111777 },
    };
    static const char *const invalid[] = {
        "",
        "yesterday",
        "Sunday, 06 Nov 1994 08:49:37 GMT", /* a day-name of another format */
        "Sun, 06 NOV 1994 08:49:37 GMT",
        "sun, 06 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 08:49:37 UTC",
        "Sun, 06 Nov 1994 24:00:00 GMT",
        "Thu, 29 Feb 1900 00:00:00 GMT", /* no such day */
        "Sun, 6 Nov 1994 08:49:37 GMT",
        "Sun, 06-Nov-94 08:49:37 GMT", /* rfc850 needs the full day-name */
    };
    static const char imf[] = "Sun, 06 Nov 1994 08:49:37 GMT";
    unsigned char raw[2 * sizeof(int64_t)];
    int64_t secs;
    g_area = "http_date_parse";

    for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++) {
        g_case = valid[i].in;
        CHECK_RC(date_parse(valid[i].in, strlen(valid[i].in), valid[i].now, &secs), OK);
        CHECK(secs == valid[i].secs);
    }
    for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
        g_case = invalid[i];
        CHECK_RC(date_parse(invalid[i], strlen(invalid[i]), NOW, &secs),
                 ETAGCORE_RESULT_INVALID_DATE);
    }
    g_case = "";

    /* Only `len` bytes count, NUL bytes included. */
    CHECK_RC(date_parse("Sun, 06 Nov 1994 08:49:37 GMTxyz", 29, NOW, &secs), OK);
    CHECK(secs == 784111777);
    CHECK_RC(date_parse(imf, 28, NOW, &secs), ETAGCORE_RESULT_INVALID_DATE);
    CHECK_RC(date_parse("Sun, 06 Nov 1994 08:49:37 G\0T", 29, NOW, &secs),
             ETAGCORE_RESULT_INVALID_DATE);
    CHECK_RC(date_parse(NULL, 0, NOW, &secs), ETAGCORE_RESULT_INVALID_DATE);

    CHECK_RC(date_parse("Sat, 01 Jan 0000 00:00:00 GMT", 29, NOW, &secs),
             ETAGCORE_RESULT_DATE_OUT_OF_RANGE);
    CHECK_RC(date_parse("Fri, 31 Dec 9999 23:59:60 GMT", 29, NOW, &secs),
             ETAGCORE_RESULT_DATE_OUT_OF_RANGE);

    CHECK_RC(date_parse(NULL, 29, NOW, &secs), NULL_PARAMETER);
    CHECK_RC(etagcore_http_date_parse(u8(imf), 29, NOW, NULL), NULL_PARAMETER);
    CHECK_RC(date_parse(imf, SIZE_MAX, NOW, &secs), INVALID_INPUT);
    CHECK_RC(date_parse(imf, HUGE_LEN, NOW, &secs), INVALID_INPUT);

    FILL(raw);
    CHECK_RC(etagcore_http_date_parse(u8(imf), 29, NOW, offset_ptr(raw, 1)), INVALID_INPUT);
    CHECK(FILLED(raw));
}

static void test_http_date_format(void)
{
    static const struct {
        int64_t secs;
        const char *text;
    } table[] = {
        { 784111777, "Sun, 06 Nov 1994 08:49:37 GMT" },
        { 0, "Thu, 01 Jan 1970 00:00:00 GMT" },
        { -1, "Wed, 31 Dec 1969 23:59:59 GMT" },
        { 951782400, "Tue, 29 Feb 2000 00:00:00 GMT" },
        { LAST_MODIFIED, AT_LM },
        { MIN_HTTP_DATE, "Mon, 01 Jan 0001 00:00:00 GMT" },
        { MAX_HTTP_DATE, "Fri, 31 Dec 9999 23:59:59 GMT" },
    };
    static const int64_t out_of_range[] = { INT64_MAX, INT64_MIN, MAX_HTTP_DATE + 1,
                                            MIN_HTTP_DATE - 1 };
    const int64_t rfc_example = 784111777;
    out_buf b;
    g_area = "http_date_format";

    check_writer("784111777", write_http_date, &rfc_example, "Sun, 06 Nov 1994 08:49:37 GMT");

    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        int64_t back;
        g_case = table[i].text;
        buf_reset(&b);
        CHECK_RC(etagcore_http_date_format(table[i].secs, b.bytes, ETAGCORE_HTTP_DATE_LEN, &b.len),
                 OK);
        CHECK(buf_holds(&b, table[i].text));
        CHECK_RC(date_parse((const char *)b.bytes, b.len, NOW, &back), OK);
        CHECK(back == table[i].secs);
    }
    g_case = "";

    for (size_t i = 0; i < sizeof out_of_range / sizeof out_of_range[0]; i++) {
        check_writer_fails("out of range", write_http_date, &out_of_range[i],
                           ETAGCORE_RESULT_DATE_OUT_OF_RANGE);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* etagcore_content_tag_compute                                                               */
/* ------------------------------------------------------------------------------------------ */

#define EMPTY_TAG "\"99aa06d3014798d86001c324468d497f\""
#define HELLO_TAG "\"6bba86c7e069f56d5a10b435f1c8e49c\""

/* A deterministic test pattern: byte i is (i * 131 + 17) mod 256. */
static void pattern(uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        out[i] = (uint8_t)(i * 131 + 17);
    }
}

/* XXH3-128 of pattern(), from `xxh128sum`: the tags of longer inputs, whose hashing takes
 * other paths than short ones. */
static const struct {
    size_t len;
    const char *tag;
} pattern_tags[] = {
    { 1000, "\"9a8e9b7e9ac8653c7dee33ba60914446\"" },
    { 4096, "\"93b2780c62e00847b6ea541381e0f6f9\"" },
};

static void test_content_tag_compute(void)
{
    static uint8_t data[4096];
    const struct bytes_args empty = { NULL, 0, false };
    const struct bytes_args empty_nonnull = { u8("x"), 0, false };
    const struct bytes_args hello = { u8("hello\n"), 6, false };
    const struct bytes_args hello_weak = { u8("hello\n"), 6, true };
    const struct bytes_args null_data = { NULL, 6, false };
    const struct bytes_args huge = { u8("hello\n"), SIZE_MAX, false };
    const struct bytes_args too_long = { u8("hello\n"), HUGE_LEN, true };
    g_area = "content_tag_compute";

    check_writer("(NULL, 0)", write_content_tag, &empty, EMPTY_TAG);
    check_writer("empty, non-NULL", write_content_tag, &empty_nonnull, EMPTY_TAG);
    check_writer("hello\\n", write_content_tag, &hello, HELLO_TAG);
    check_writer("hello\\n, weak", write_content_tag, &hello_weak, "W/" HELLO_TAG);
    CHECK(strlen(HELLO_TAG) == ETAGCORE_CONTENT_TAG_LEN);
    CHECK(strlen("W/" HELLO_TAG) == ETAGCORE_CONTENT_TAG_WEAK_LEN);

    pattern(data, sizeof data);
    for (size_t i = 0; i < sizeof pattern_tags / sizeof pattern_tags[0]; i++) {
        const struct bytes_args args = { data, pattern_tags[i].len, false };
        check_writer(pattern_tags[i].tag, write_content_tag, &args, pattern_tags[i].tag);
    }

    check_writer_fails("NULL, 6", write_content_tag, &null_data, NULL_PARAMETER);
    check_writer_fails("SIZE_MAX", write_content_tag, &huge, INVALID_INPUT);
    check_writer_fails("PTRDIFF_MAX + 1", write_content_tag, &too_long, INVALID_INPUT);
}

/* ------------------------------------------------------------------------------------------ */
/* etagcore_hasher_init, etagcore_hasher_update, etagcore_hasher_finish                       */
/* ------------------------------------------------------------------------------------------ */

/* The tag the hasher gives now, weak or strong, into `out` (NUL-terminated). */
static bool finish_text(const etagcore_hasher *h, bool weak, char out[64])
{
    uint8_t buf[64];
    size_t len = 0;
    if (etagcore_hasher_finish(h, weak, buf, sizeof buf - 1, &len) != OK || len >= 64) {
        out[0] = '\0';
        return false;
    }
    memcpy(out, buf, len);
    out[len] = '\0';
    return true;
}

/* The one-shot tag of `len` bytes at `data`, NUL-terminated. */
static bool oneshot_text(const uint8_t *data, size_t len, bool weak, char out[64])
{
    uint8_t buf[64];
    size_t n = 0;
    if (etagcore_content_tag_compute(data, len, weak, buf, sizeof buf - 1, &n) != OK || n >= 64) {
        out[0] = '\0';
        return false;
    }
    memcpy(out, buf, n);
    out[n] = '\0';
    return true;
}

/* Streams `len` bytes at `data` in chunks of `chunk` bytes (a zero-length update and a
 * (NULL, 0) update between chunks) and checks the tag equals the one-shot one. */
static void check_streaming(etagcore_hasher *h, const uint8_t *data, size_t len, size_t chunk)
{
    char streamed[64];
    char oneshot[64];
    bool updated = true;
    CHECK_RC(etagcore_hasher_init(h), OK);
    for (size_t at = 0; at < len; at += chunk) {
        size_t n = len - at < chunk ? len - at : chunk;
        updated &= etagcore_hasher_update(h, data + at, n) == OK;
        updated &= etagcore_hasher_update(h, data + at, 0) == OK;
        updated &= etagcore_hasher_update(h, NULL, 0) == OK;
    }
    CHECK(updated);
    CHECK(finish_text(h, false, streamed));
    CHECK(oneshot_text(data, len, false, oneshot));
    CHECK(strcmp(streamed, oneshot) == 0);
    CHECK(finish_text(h, true, streamed));
    CHECK(oneshot_text(data, len, true, oneshot));
    CHECK(strcmp(streamed, oneshot) == 0);
}

static void test_hasher(void)
{
    static const size_t lengths[] = { 0, 1, 3, 16, 17, 128, 129, 240, 241, 255, 256, 257, 1000, 4096 };
    static const size_t chunks[] = { 1, 7, 64, 255, 256, 1000, 4096 };
    static uint8_t data[4096];
    static _Alignas(ETAGCORE_HASHER_ALIGN) unsigned char raw[ETAGCORE_HASHER_SIZE + 2 * ETAGCORE_HASHER_ALIGN];
    static const size_t misalignments[] = { 1, 8, 16, 32, 63 };
    etagcore_hasher h;
    etagcore_hasher pool[2];
    struct {
        char tag;
        etagcore_hasher hasher;
    } in_struct;
    char text[64];
    char partial[64];
    out_buf b;
    g_area = "hasher";

    CHECK((uintptr_t)&h % ETAGCORE_HASHER_ALIGN == 0);
    CHECK((uintptr_t)&pool[1] % ETAGCORE_HASHER_ALIGN == 0);
    CHECK((uintptr_t)&in_struct.hasher % ETAGCORE_HASHER_ALIGN == 0);

    /* A fresh hasher is the empty content's tag, strong or weak. */
    CHECK_RC(etagcore_hasher_init(&h), OK);
    {
        const struct finish_args strong = { &h, false };
        const struct finish_args weak = { &h, true };
        check_writer("fresh", write_hasher_finish, &strong, EMPTY_TAG);
        check_writer("fresh, weak", write_hasher_finish, &weak, "W/" EMPTY_TAG);
    }

    /* "hello\n" over several chunks, empty ones and (NULL, 0) among them. */
    CHECK_RC(etagcore_hasher_update(&h, u8("he"), 2), OK);
    CHECK_RC(etagcore_hasher_update(&h, NULL, 0), OK);
    CHECK_RC(etagcore_hasher_update(&h, u8("l"), 1), OK);
    CHECK_RC(etagcore_hasher_update(&h, u8("xyz"), 0), OK);
    CHECK(finish_text(&h, false, text)); /* "hel" so far; finishing does not end the stream */
    CHECK(oneshot_text(u8("hel"), 3, false, partial));
    CHECK(strcmp(text, partial) == 0);
    CHECK(strcmp(text, HELLO_TAG) != 0);
    CHECK_RC(etagcore_hasher_update(&h, u8("lo\n"), 3), OK);
    {
        const struct finish_args strong = { &h, false };
        const struct finish_args weak = { &h, true };
        check_writer("hello\\n", write_hasher_finish, &strong, HELLO_TAG);
        check_writer("hello\\n, weak", write_hasher_finish, &weak, "W/" HELLO_TAG);
    }
    CHECK(finish_text(&h, true, text));
    CHECK(strncmp(text, "W/", 2) == 0);
    CHECK(strcmp(text + 2, HELLO_TAG) == 0);

    /* A failed update leaves the state alone; init restarts it. */
    CHECK_RC(etagcore_hasher_update(&h, NULL, 5), NULL_PARAMETER);
    CHECK_RC(etagcore_hasher_update(&h, u8("x"), SIZE_MAX), INVALID_INPUT);
    CHECK_RC(etagcore_hasher_update(&h, u8("x"), HUGE_LEN), INVALID_INPUT);
    CHECK(finish_text(&h, false, text));
    CHECK(strcmp(text, HELLO_TAG) == 0);
    CHECK_RC(etagcore_hasher_init(&h), OK);
    CHECK(finish_text(&h, false, text));
    CHECK(strcmp(text, EMPTY_TAG) == 0);

    /* Streaming equals one-shot, for inputs around XXH3's internal sizes and known tags. */
    pattern(data, sizeof data);
    for (size_t i = 0; i < sizeof lengths / sizeof lengths[0]; i++) {
        for (size_t j = 0; j < sizeof chunks / sizeof chunks[0]; j++) {
            check_streaming(&h, data, lengths[i], chunks[j]);
        }
    }
    for (size_t i = 0; i < sizeof pattern_tags / sizeof pattern_tags[0]; i++) {
        check_streaming(&pool[1], data, pattern_tags[i].len, 100);
        CHECK(finish_text(&pool[1], false, text));
        CHECK(strcmp(text, pattern_tags[i].tag) == 0);
        check_streaming(&in_struct.hasher, data, pattern_tags[i].len, 33);
        CHECK(finish_text(&in_struct.hasher, false, text));
        CHECK(strcmp(text, pattern_tags[i].tag) == 0);
    }

    /* NULL hasher, NULL data with a length, NULL outputs. */
    CHECK_RC(etagcore_hasher_init(NULL), NULL_PARAMETER);
    CHECK_RC(etagcore_hasher_update(NULL, u8("x"), 1), NULL_PARAMETER);
    CHECK_RC(etagcore_hasher_update(NULL, NULL, 0), NULL_PARAMETER);
    buf_reset(&b);
    CHECK_RC(etagcore_hasher_finish(NULL, false, b.bytes, BUF_CAP, &b.len), NULL_PARAMETER);
    CHECK(buf_untouched(&b));

    /* Storage not aligned to ETAGCORE_HASHER_ALIGN, even if aligned to less. */
    for (size_t i = 0; i < sizeof misalignments / sizeof misalignments[0]; i++) {
        etagcore_hasher *bad = offset_ptr(raw, misalignments[i]);
        FILL(raw);
        CHECK_RC(etagcore_hasher_init(bad), INVALID_INPUT);
        CHECK_RC(etagcore_hasher_update(bad, u8("x"), 1), INVALID_INPUT);
        buf_reset(&b);
        CHECK_RC(etagcore_hasher_finish(bad, false, b.bytes, BUF_CAP, &b.len), INVALID_INPUT);
        CHECK(buf_untouched(&b));
        CHECK(FILLED(raw));
    }
    /* The aligned start of the same storage works. */
    {
        etagcore_hasher *good = offset_ptr(raw, 0);
        CHECK_RC(etagcore_hasher_init(good), OK);
        CHECK_RC(etagcore_hasher_update(good, u8("hello\n"), 6), OK);
        CHECK(finish_text(good, false, text));
        CHECK(strcmp(text, HELLO_TAG) == 0);
        CHECK(filled(raw + ETAGCORE_HASHER_SIZE, sizeof raw - ETAGCORE_HASHER_SIZE));
    }
}

/*
 * Storage that etagcore_hasher_init never saw, whatever it holds: every other hasher function
 * answers HASHER_NOT_INITIALISED and neither reads the state as one nor writes anything (the
 * storage, the output buffer and out_len keep their bytes). Before the check, 0xFF garbage made
 * XXH3 compute `256 - buffered_size` from 0xFFFF and write far out of bounds.
 */
static void check_not_initialised(etagcore_hasher *h, const char *label)
{
    static uint8_t data[1000];
    etagcore_hasher before;
    out_buf b;
    const char *saved = g_case;
    g_case = label;

    pattern(data, sizeof data);
    memcpy(&before, h, sizeof before);
    CHECK_RC(etagcore_hasher_update(h, data, sizeof data), ETAGCORE_RESULT_HASHER_NOT_INITIALISED);
    CHECK_RC(etagcore_hasher_update(h, data, 1), ETAGCORE_RESULT_HASHER_NOT_INITIALISED);
    CHECK_RC(etagcore_hasher_update(h, NULL, 0), ETAGCORE_RESULT_HASHER_NOT_INITIALISED);
    CHECK(memcmp(&before, h, sizeof before) == 0);
    buf_reset(&b);
    CHECK_RC(etagcore_hasher_finish(h, false, b.bytes, BUF_CAP, &b.len),
             ETAGCORE_RESULT_HASHER_NOT_INITIALISED);
    CHECK(buf_untouched(&b));
    buf_reset(&b);
    CHECK_RC(etagcore_hasher_finish(h, true, b.bytes, BUF_CAP, &b.len),
             ETAGCORE_RESULT_HASHER_NOT_INITIALISED);
    CHECK(buf_untouched(&b));
    CHECK(memcmp(&before, h, sizeof before) == 0);

    /* init makes the same storage a hasher, whatever it held. */
    CHECK_RC(etagcore_hasher_init(h), OK);
    CHECK_RC(etagcore_hasher_update(h, u8("hello\n"), 6), OK);
    {
        const struct finish_args strong = { h, false };
        check_writer(label, write_hasher_finish, &strong, HELLO_TAG);
    }
    g_case = saved;
}

static void test_hasher_not_initialised(void)
{
    static const unsigned char bytes[] = { 0x00, 0xFF, 0xA5, 0x5A, 0x01, 0x80, 0x7F, 0xFE };
    static const char *const labels[] = { "0x00", "0xFF", "0xA5", "0x5A",
                                          "0x01", "0x80", "0x7F", "0xFE" };
    etagcore_hasher h;
    etagcore_hasher copy;
    etagcore_hasher pool[3];
    uint32_t x = 2463534242u;
    g_area = "hasher not initialised";

    for (size_t i = 0; i < sizeof bytes; i++) {
        memset(&h, bytes[i], sizeof h);
        check_not_initialised(&h, labels[i]);
    }
    /* Pseudo-random garbage (xorshift32), and each byte position 0xFF in zeros. */
    for (size_t i = 0; i < sizeof h.opaque; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        h.opaque[i] = (uint8_t)x;
    }
    check_not_initialised(&h, "xorshift32");
    for (size_t i = 0; i < sizeof h.opaque; i += 8) {
        memset(&h, 0, sizeof h);
        h.opaque[i] = 0xFF;
        check_not_initialised(&h, "one 0xFF byte");
    }

    /* A hasher overwritten after init is no hasher any more. */
    CHECK_RC(etagcore_hasher_init(&pool[1]), OK);
    CHECK_RC(etagcore_hasher_update(&pool[1], u8("he"), 2), OK);
    memset(&pool[1], 0xFF, sizeof pool[1]);
    check_not_initialised(&pool[1], "overwritten after init");

    /* A copy of an initialised hasher is one (the state holds no pointer to itself), and
     * finishing does not consume it: it goes on being fed. */
    CHECK_RC(etagcore_hasher_init(&h), OK);
    CHECK_RC(etagcore_hasher_update(&h, u8("hel"), 3), OK);
    memcpy(&copy, &h, sizeof copy);
    CHECK_RC(etagcore_hasher_update(&copy, u8("lo\n"), 3), OK);
    {
        const struct finish_args strong = { &copy, false };
        check_writer("copy", write_hasher_finish, &strong, HELLO_TAG);
        check_writer("copy, finished twice", write_hasher_finish, &strong, HELLO_TAG);
    }
    CHECK_RC(etagcore_hasher_update(&copy, NULL, 0), OK);
    CHECK_RC(etagcore_hasher_update(&h, u8("lo\n"), 3), OK);
    {
        const struct finish_args strong = { &h, false };
        check_writer("original", write_hasher_finish, &strong, HELLO_TAG);
    }
    /* Misaligned storage is still INVALID_INPUT, checked before the marker. */
    memset(pool, 0xFF, sizeof pool);
    CHECK_RC(etagcore_hasher_update(offset_ptr(&pool[0], 8), u8("x"), 1), INVALID_INPUT);
    CHECK_RC(etagcore_hasher_update(NULL, u8("x"), 1), NULL_PARAMETER);
}

/* ------------------------------------------------------------------------------------------ */
/* etagcore_digest_tag_format                                                                 */
/* ------------------------------------------------------------------------------------------ */

static void test_digest_tag_format(void)
{
    static const uint8_t dead[] = { 0xde, 0xad };
    static uint8_t every_byte[256];
    static uint8_t sha256_sized[32];
    static char every_hex[2 + 2 * 256 + 1];
    static char every_hex_weak[4 + 2 * 256 + 1];
    const struct bytes_args d = { dead, sizeof dead, false };
    const struct bytes_args d_weak = { dead, sizeof dead, true };
    const struct bytes_args empty = { NULL, 0, false };
    const struct bytes_args empty_weak = { NULL, 0, true };
    const struct bytes_args all = { every_byte, sizeof every_byte, false };
    const struct bytes_args all_weak = { every_byte, sizeof every_byte, true };
    const struct bytes_args null_digest = { NULL, 2, false };
    const struct bytes_args huge = { dead, SIZE_MAX, false };
    const struct bytes_args too_long = { dead, HUGE_LEN, true };
    size_t at;
    out_buf b;
    g_area = "digest_tag_format";

    check_writer("dead", write_digest_tag, &d, "\"dead\"");
    check_writer("dead, weak", write_digest_tag, &d_weak, "W/\"dead\"");
    check_writer("(NULL, 0)", write_digest_tag, &empty, "\"\"");
    check_writer("(NULL, 0), weak", write_digest_tag, &empty_weak, "W/\"\"");

    /* Every byte value, in lowercase hex. */
    at = 0;
    every_hex[at++] = '"';
    for (size_t i = 0; i < sizeof every_byte; i++) {
        every_byte[i] = (uint8_t)i;
        at += (size_t)snprintf(every_hex + at, sizeof every_hex - at, "%02x", (unsigned)i);
    }
    every_hex[at++] = '"';
    every_hex[at] = '\0';
    CHECK(at == 2 + 2 * sizeof every_byte);
    snprintf(every_hex_weak, sizeof every_hex_weak, "W/%s", every_hex);
    check_writer("0x00..0xff", write_digest_tag, &all, every_hex);
    check_writer("0x00..0xff, weak", write_digest_tag, &all_weak, every_hex_weak);

    /* A 32-byte digest: 66 bytes, 68 weak. */
    memset(sha256_sized, 0xab, sizeof sha256_sized);
    buf_reset(&b);
    CHECK_RC(etagcore_digest_tag_format(sha256_sized, 32, false, b.bytes, 66, &b.len), OK);
    CHECK(b.len == 66 && b.bytes[0] == '"' && b.bytes[1] == 'a' && b.bytes[2] == 'b' &&
          b.bytes[65] == '"' && b.bytes[66] == SENTINEL);
    buf_reset(&b);
    CHECK_RC(etagcore_digest_tag_format(sha256_sized, 32, true, b.bytes, 67, &b.len),
             INSUFFICIENT_SIZE);
    CHECK(buf_untouched(&b));

    check_writer_fails("NULL, 2", write_digest_tag, &null_digest, NULL_PARAMETER);
    check_writer_fails("SIZE_MAX", write_digest_tag, &huge, INVALID_INPUT);
    check_writer_fails("PTRDIFF_MAX + 1", write_digest_tag, &too_long, INVALID_INPUT);
}

/* ------------------------------------------------------------------------------------------ */
/* Flags: every yes/no the caller supplies is a byte, 0 or 1                                  */
/* ------------------------------------------------------------------------------------------ */

/* Stores `v` in a flag field through its bytes, as memory from anywhere (a pool, a struct filled
 * by another language, an uninitialised field) may hold it. */
static void set_flag(void *field, uint8_t v) { memcpy(field, &v, 1); }

/*
 * A flag that is neither 0 nor 1 is INVALID_INPUT and nothing is written: in a struct field
 * (etagcore_entity_tag.weak, etagcore_request.has_range, has_last_modified) and as an argument
 * (weak, has_etag). Read as a Rust bool, such a byte was undefined behaviour.
 */
static void test_flags(void)
{
    static const uint8_t bad[] = { 2, 3, 0x7F, 0x80, 0xFE, 0xFF };
    static const char *const labels[] = { "2", "3", "0x7F", "0x80", "0xFE", "0xFF" };
    static const uint8_t data[] = "hello\n";
    const etagcore_entity_tag one = make_tag(false, "xyzzy");
    const etagcore_representation cur = representation(XYZZY, true, LAST_MODIFIED);
    etagcore_bytes match[1] = { bstr(XYZZY) };
    etagcore_hasher h;
    etagcore_field_rule rule;
    etagcore_decision d;
    out_buf b;
    int m;
    g_area = "flags";

    CHECK_RC(etagcore_hasher_init(&h), OK);
    for (size_t i = 0; i < sizeof bad; i++) {
        const uint8_t v = bad[i];
        etagcore_entity_tag tag = make_tag(false, "xyzzy");
        etagcore_representation lm = representation(XYZZY, false, LAST_MODIFIED);
        etagcore_request r = request("GET");
        g_case = labels[i];

        /* etagcore_entity_tag.weak, into format and compare (either side, either kind). */
        set_flag(&tag.weak, v);
        check_writer_fails("entity_tag.weak", write_entity_tag, &tag, INVALID_INPUT);
        CHECK_RC(compare(&tag, &one, ETAGCORE_COMPARISON_STRONG, &m), INVALID_INPUT);
        CHECK_RC(compare(&one, &tag, ETAGCORE_COMPARISON_WEAK, &m), INVALID_INPUT);
        CHECK_RC(compare(&tag, &tag, ETAGCORE_COMPARISON_WEAK, &m), INVALID_INPUT);

        /* etagcore_request.has_range, with and without conditions. */
        set_flag(&r.has_range, v);
        CHECK_RC(evaluate(&r, &cur, &d), INVALID_INPUT);
        CHECK_RC(evaluate(&r, NULL, &d), INVALID_INPUT);
        r.if_none_match = field_of(match, 1);
        CHECK_RC(evaluate(&r, &cur, &d), INVALID_INPUT);

        /* has_last_modified, into evaluate and list_match. */
        set_flag(&lm.has_last_modified, v);
        r = request("GET");
        CHECK_RC(evaluate(&r, &lm, &d), INVALID_INPUT);
        CHECK_RC(list_match(field_of(match, 1), &lm, ETAGCORE_COMPARISON_WEAK, &m),
                 INVALID_INPUT);

        /* By value: weak and has_etag. */
        buf_reset(&b);
        CHECK_RC(etagcore_content_tag_compute(data, 6, v, b.bytes, BUF_CAP, &b.len),
                 INVALID_INPUT);
        CHECK(buf_untouched(&b));
        buf_reset(&b);
        CHECK_RC(etagcore_digest_tag_format(data, 6, v, b.bytes, BUF_CAP, &b.len),
                 INVALID_INPUT);
        CHECK(buf_untouched(&b));
        buf_reset(&b);
        CHECK_RC(etagcore_hasher_finish(&h, v, b.bytes, BUF_CAP, &b.len), INVALID_INPUT);
        CHECK(buf_untouched(&b));
        FILL(rule);
        CHECK_RC(etagcore_decision_field_rule(ETAGCORE_DECISION_NOT_MODIFIED, u8("ETag"), 4, v,
                                              &rule),
                 INVALID_INPUT);
        CHECK(FILLED(rule));
    }
    g_case = "";

    /* 0 and 1 through the same bytes still work. */
    {
        etagcore_entity_tag tag = make_tag(false, "xyzzy");
        etagcore_request r = request("GET");
        etagcore_representation lm = representation(XYZZY, false, LAST_MODIFIED);
        set_flag(&tag.weak, 1);
        check_writer("entity_tag.weak = 1", write_entity_tag, &tag, "W/" XYZZY);
        set_flag(&r.has_range, 1);
        CHECK(decide(&r, &cur) == ETAGCORE_DECISION_SERVE_RANGE);
        set_flag(&r.has_range, 0);
        CHECK(decide(&r, &cur) == ETAGCORE_DECISION_PERFORM);
        r.if_modified_since = field_of((etagcore_bytes[1]){ bstr(AT_LM) }, 1);
        set_flag(&lm.has_last_modified, 1);
        CHECK(decide(&r, &lm) == ETAGCORE_DECISION_NOT_MODIFIED);
        set_flag(&lm.has_last_modified, 0);
        CHECK(decide(&r, &lm) == ETAGCORE_DECISION_PERFORM);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* etagcore_result_str                                                                        */
/* ------------------------------------------------------------------------------------------ */

static void test_result_str(void)
{
    static const uint32_t codes[] = {
        ETAGCORE_RESULT_OK,
        ETAGCORE_RESULT_NULL_PARAMETER,
        ETAGCORE_RESULT_INSUFFICIENT_SIZE,
        ETAGCORE_RESULT_INVALID_INPUT,
        ETAGCORE_RESULT_PANIC,
        ETAGCORE_RESULT_TOO_MANY_FIELD_LINES,
        ETAGCORE_RESULT_HASHER_NOT_INITIALISED,
        ETAGCORE_RESULT_INTERNAL_ERROR,
        ETAGCORE_RESULT_INVALID_ENTITY_TAG,
        ETAGCORE_RESULT_INVALID_LIST,
        ETAGCORE_RESULT_TOO_MANY_EMPTY_ELEMENTS,
        ETAGCORE_RESULT_INVALID_DATE,
        ETAGCORE_RESULT_DATE_OUT_OF_RANGE,
    };
    static const uint32_t unknown[] = { 8, 99, 105, 9999, UINT32_MAX };
    enum { N = sizeof codes / sizeof codes[0] };
    const char *texts[N];
    g_area = "result_str";

    for (size_t i = 0; i < N; i++) {
        texts[i] = etagcore_result_str(codes[i]);
        CHECK(texts[i] != NULL);
        if (texts[i] == NULL) {
            continue;
        }
        CHECK(texts[i][0] != '\0');
        CHECK(strcmp(texts[i], "unknown result") != 0);
        for (size_t j = 0; j < i; j++) {
            CHECK(texts[j] == NULL || strcmp(texts[i], texts[j]) != 0);
        }
    }
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        const char *text = etagcore_result_str(unknown[i]);
        CHECK(text != NULL && strcmp(text, "unknown result") == 0);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* etagcore_version                                                                           */
/* ------------------------------------------------------------------------------------------ */

static void test_version(void)
{
    const char *v = etagcore_version();
    char built[32];
    unsigned major = 0;
    unsigned minor = 0;
    unsigned patch = 0;
    char extra;
    g_area = "version";

    CHECK(v != NULL);
    if (v == NULL) {
        return;
    }
    CHECK(strcmp(v, ETAGCORE_VERSION_STRING) == 0);
    CHECK(etagcore_version() == v || strcmp(etagcore_version(), v) == 0);

    snprintf(built, sizeof built, "%d.%d.%d", ETAGCORE_VERSION_MAJOR, ETAGCORE_VERSION_MINOR,
             ETAGCORE_VERSION_PATCH);
    CHECK(strcmp(built, ETAGCORE_VERSION_STRING) == 0);
    CHECK(strcmp(built, v) == 0);

    CHECK(sscanf(v, "%u.%u.%u%c", &major, &minor, &patch, &extra) == 3);
    CHECK(((ETAGCORE_VERSION_NUMBER >> 16) & 0xff) == (int)major);
    CHECK(((ETAGCORE_VERSION_NUMBER >> 8) & 0xff) == (int)minor);
    CHECK((ETAGCORE_VERSION_NUMBER & 0xff) == (int)patch);
    CHECK((ETAGCORE_VERSION_NUMBER >> 24) == 0);
}

/* ------------------------------------------------------------------------------------------ */

int main(void)
{
    test_entity_tag_parse();
    test_entity_tag_format();
    test_entity_tag_compare();
    test_list_match();
    test_request_evaluate();
    test_decision_field_rule();
    test_http_date_parse();
    test_http_date_format();
    test_content_tag_compute();
    test_hasher();
    test_hasher_not_initialised();
    test_digest_tag_format();
    test_flags();
    test_result_str();
    test_version();

    printf("api_test: %lu passed, %lu failed\n", g_passed, g_failed);
    return g_failed > 0 ? 1 : 0;
}
