/*
 * The conformance vectors through the C ABI: the runner of tests/vectors.rs, in C, calling only
 * the exported etagcore_* functions. Usage: vectors_test DIR... ; ETAGCORE_VECTORS_DIR adds one
 * more folder. Every *.tsv is read (format: ../shared/vectors/FORMAT.md), dispatched on its header
 * row, and summarised as "FILE: N passed, M failed". Exits non-zero on any failure, undecodable
 * cell or missing column, or when no row ran.
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "etagcore.h"

enum { MAX_COLS = 64, MAX_LINE = 1 << 16, MAX_CELL = 4096, MAX_FILES = 256 };

typedef struct {
  char *cells[MAX_COLS];
  size_t count;
} row_t;

typedef struct {
  etagcore_bytes lines[ETAGCORE_MAX_FIELD_LINES];
  uint8_t bytes[ETAGCORE_MAX_FIELD_LINES][MAX_CELL];
  size_t count;
} field_t;

static char failure[512];

/* Records why a row failed and returns false, so checks read `return fail(...)`. */
static bool fail(const char *what, const char *detail) {
  snprintf(failure, sizeof failure, "%s: %s", what, detail);
  return false;
}

/* Splits a line on TAB, in place. */
static size_t split_tabs(char *line, char **cells, size_t max) {
  size_t n = 0;
  char *start = line;
  for (char *p = line;; p++) {
    if (*p == '\t' || *p == '\0') {
      bool end = *p == '\0';
      *p = '\0';
      if (n < max) cells[n++] = start;
      if (end) break;
      start = p + 1;
    }
  }
  return n;
}

static const char *cell(const row_t *header, const row_t *row, const char *name, bool *found) {
  for (size_t i = 0; i < header->count; i++) {
    if (strcmp(header->cells[i], name) == 0) {
      *found = true;
      return i < row->count ? row->cells[i] : "";
    }
  }
  *found = false;
  return "";
}

static int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Decodes `\xNN` escapes of [text, end); any other backslash is an error. */
static bool decode(const char *text, const char *end, uint8_t *out, size_t *len) {
  size_t n = 0;
  for (const char *p = text; p < end; p++) {
    if (n == MAX_CELL) return false;
    if (*p != '\\') {
      out[n++] = (uint8_t)*p;
      continue;
    }
    if (end - p < 4 || p[1] != 'x' || hex(p[2]) < 0 || hex(p[3]) < 0) return false;
    out[n++] = (uint8_t)(hex(p[2]) * 16 + hex(p[3]));
    p += 3;
  }
  *len = n;
  return true;
}

/* A header cell: empty = absent, `(empty)` = one empty line, `\n` separates field lines. */
static bool decode_field(const char *text, field_t *field) {
  field->count = 0;
  if (*text == '\0') return true;
  const char *start = text;
  for (;;) {
    const char *sep = strstr(start, "\\n");
    const char *end = sep ? sep : start + strlen(start);
    if (field->count == ETAGCORE_MAX_FIELD_LINES) return false;
    size_t i = field->count++;
    size_t len = 0;
    bool empty = (size_t)(end - start) == strlen("(empty)") && strncmp(start, "(empty)", 7) == 0;
    if (!empty && !decode(start, end, field->bytes[i], &len)) return false;
    field->lines[i] = (etagcore_bytes){.ptr = len ? field->bytes[i] : NULL, .len = len};
    if (!sep) return true;
    start = sep + 2;
  }
}

static etagcore_field as_field(const field_t *f) {
  return (etagcore_field){.lines = f->count ? f->lines : NULL, .count = f->count};
}

static bool decode_cell(const char *text, uint8_t *out, size_t *len) {
  return decode(text, text + strlen(text), out, len);
}

static bool yes_no(const char *text, bool *out) {
  if (strcmp(text, "yes") == 0) return (*out = true);
  if (strcmp(text, "no") == 0) return !(*out = false);
  return false;
}

/* A `now` or `resource_last_modified` cell: an IMF-fixdate. */
static bool imf_date(const char *text, int64_t *out) {
  uint8_t buf[MAX_CELL];
  size_t len;
  return decode_cell(text, buf, &len) && etagcore_http_date_parse(buf, len, 0, out) == ETAGCORE_RESULT_OK;
}

#define COLUMN(name, var)                                  \
  bool found_##var;                                        \
  const char *var = cell(header, row, name, &found_##var); \
  if (!found_##var) return fail("missing column", name)

static bool check_etag(const row_t *header, const row_t *row) {
  COLUMN("input", input);
  COLUMN("valid", valid_text);
  uint8_t in[MAX_CELL];
  size_t in_len;
  bool valid;
  if (!decode_cell(input, in, &in_len)) return fail("undecodable input", input);
  if (!yes_no(valid_text, &valid)) return fail("valid: not yes/no", valid_text);
  etagcore_entity_tag tag;
  etagcore_result r = etagcore_entity_tag_parse(in_len ? in : NULL, in_len, &tag);
  if (!valid) return r == ETAGCORE_RESULT_INVALID_ENTITY_TAG ? true : fail("accepted invalid tag", input);
  COLUMN("weak", weak_text);
  COLUMN("opaque", opaque_text);
  uint8_t opaque[MAX_CELL];
  size_t opaque_len;
  bool weak;
  if (!yes_no(weak_text, &weak)) return fail("weak: not yes/no", weak_text);
  if (!decode_cell(opaque_text, opaque, &opaque_len)) return fail("undecodable opaque", opaque_text);
  if (r != ETAGCORE_RESULT_OK) return fail("rejected valid tag", etagcore_result_str(r));
  if (tag.weak != weak || tag.opaque_len != opaque_len || memcmp(tag.opaque, opaque, opaque_len) != 0)
    return fail("wrong tag", input);
  return true;
}

static bool check_date(const row_t *header, const row_t *row) {
  COLUMN("input", input);
  COLUMN("valid", valid_text);
  COLUMN("now", now_text);
  uint8_t in[MAX_CELL];
  size_t in_len;
  bool valid;
  int64_t now, secs;
  if (!decode_cell(input, in, &in_len)) return fail("undecodable input", input);
  if (!yes_no(valid_text, &valid)) return fail("valid: not yes/no", valid_text);
  if (!imf_date(now_text, &now)) return fail("now: not an IMF-fixdate", now_text);
  etagcore_result r = etagcore_http_date_parse(in_len ? in : NULL, in_len, now, &secs);
  if (!valid) return r != ETAGCORE_RESULT_OK ? true : fail("accepted invalid date", input);
  COLUMN("unix_seconds", expected_text);
  char *end;
  long long expected = strtoll(expected_text, &end, 10);
  if (*expected_text == '\0' || *end != '\0') return fail("unix_seconds: not an integer", expected_text);
  if (r != ETAGCORE_RESULT_OK) return fail("rejected valid date", etagcore_result_str(r));
  if (secs != expected) return fail("wrong seconds", input);
  return true;
}

static bool check_conditional(const row_t *header, const row_t *row) {
  static const char *const names[5] = {"if_match", "if_none_match", "if_modified_since",
                                       "if_unmodified_since", "if_range"};
  static field_t fields[5];
  for (size_t i = 0; i < 5; i++) {
    bool found;
    const char *text = cell(header, row, names[i], &found);
    if (!found) return fail("missing column", names[i]);
    if (!decode_field(text, &fields[i])) return fail("undecodable field", text);
  }
  COLUMN("method", method_text);
  COLUMN("has_range", range_text);
  COLUMN("resource_etag", etag_text);
  COLUMN("resource_last_modified", lm_text);
  COLUMN("now", now_text);
  COLUMN("expected_status_per_RFC9110", expected_text);
  uint8_t method[MAX_CELL], etag[MAX_CELL];
  size_t method_len, etag_len = 0;
  bool has_range;
  int64_t now, lm = 0;
  if (!decode_cell(method_text, method, &method_len)) return fail("undecodable method", method_text);
  if (!yes_no(range_text, &has_range)) return fail("has_range: not yes/no", range_text);
  if (!imf_date(now_text, &now)) return fail("now: not an IMF-fixdate", now_text);
  bool absent = strcmp(etag_text, "(absent)") == 0;
  if (!absent && !decode_cell(etag_text, etag, &etag_len)) return fail("undecodable resource_etag", etag_text);
  if (*lm_text != '\0' && !imf_date(lm_text, &lm)) return fail("resource_last_modified: not a date", lm_text);
  long expected = strtol(expected_text, NULL, 10);
  if (expected != 200 && expected != 206 && expected != 304 && expected != 412)
    return fail("expected status not 200/206/304/412", expected_text);

  etagcore_request request = {
      .method = {.ptr = method, .len = method_len},
      .if_match = as_field(&fields[0]),
      .if_none_match = as_field(&fields[1]),
      .if_modified_since = as_field(&fields[2]),
      .if_unmodified_since = as_field(&fields[3]),
      .if_range = as_field(&fields[4]),
      .has_range = has_range,
  };
  etagcore_resource resource = {
      .etag = {.ptr = etag_len ? etag : NULL, .len = etag_len},
      .has_last_modified = *lm_text != '\0',
      .last_modified = lm,
  };
  etagcore_decision decision = 0;
  etagcore_result r = etagcore_request_evaluate(&request, absent ? NULL : &resource, now, &decision);
  if (r != ETAGCORE_RESULT_OK) return fail("evaluate failed", etagcore_result_str(r));
  if ((long)decision != expected) {
    char got[32];
    snprintf(got, sizeof got, "got %u, expected %ld", (unsigned)decision, expected);
    return fail("wrong status", got);
  }
  return true;
}

typedef bool (*check_fn)(const row_t *, const row_t *);

static check_fn dispatch(const row_t *header) {
  bool found;
  cell(header, header, "expected_status_per_RFC9110", &found);
  if (found) return check_conditional;
  cell(header, header, "unix_seconds", &found);
  if (found) return check_date;
  cell(header, header, "opaque", &found);
  if (found) return check_etag;
  return NULL;
}

/* Runs one file; adds to *passed and *failed. */
static void run_file(const char *dir, const char *name, size_t *passed, size_t *failed) {
  static char line[MAX_LINE], header_line[MAX_LINE];
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  size_t ok = 0, bad = 0;
  FILE *f = fopen(path, "r");
  row_t header = {.count = 0};
  check_fn check = NULL;
  if (!f || !fgets(header_line, sizeof header_line, f)) {
    fprintf(stderr, "%s: cannot read\n", path);
    bad++;
  } else {
    header_line[strcspn(header_line, "\r\n")] = '\0';
    header.count = split_tabs(header_line, header.cells, MAX_COLS);
    check = dispatch(&header);
    if (!check) {
      fprintf(stderr, "%s: unknown table kind\n", path);
      bad++;
    }
  }
  for (size_t n = 2; check && fgets(line, sizeof line, f); n++) {
    line[strcspn(line, "\r\n")] = '\0';
    if (line[0] == '\0') continue;
    row_t row;
    row.count = split_tabs(line, row.cells, MAX_COLS);
    bool has_id;
    const char *id = cell(&header, &row, "id", &has_id);
    char where[64];
    snprintf(where, sizeof where, "row %zu", n);
    if (check(&header, &row)) {
      ok++;
    } else {
      fprintf(stderr, "%s %s: %s\n", name, has_id && *id ? id : where, failure);
      bad++;
    }
  }
  if (f) fclose(f);
  printf("%s: %zu passed, %zu failed\n", name, ok, bad);
  *passed += ok;
  *failed += bad;
}

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_dir(const char *dir, size_t *passed, size_t *failed) {
  static char names[MAX_FILES][256];
  char *sorted[MAX_FILES];
  size_t count = 0;
  DIR *d = opendir(dir);
  if (!d) {
    fprintf(stderr, "%s: cannot open folder\n", dir);
    (*failed)++;
    return;
  }
  for (struct dirent *e; (e = readdir(d)) && count < MAX_FILES;) {
    size_t len = strlen(e->d_name);
    if (len > 4 && len < sizeof names[0] && strcmp(e->d_name + len - 4, ".tsv") == 0) {
      memcpy(names[count], e->d_name, len + 1);
      sorted[count] = names[count];
      count++;
    }
  }
  closedir(d);
  if (count == 0) {
    fprintf(stderr, "%s: no *.tsv\n", dir);
    (*failed)++;
  }
  qsort(sorted, count, sizeof sorted[0], by_name);
  for (size_t i = 0; i < count; i++) run_file(dir, sorted[i], passed, failed);
}

int main(int argc, char **argv) {
  size_t passed = 0, failed = 0;
  for (int i = 1; i < argc; i++) run_dir(argv[i], &passed, &failed);
  const char *extra = getenv("ETAGCORE_VECTORS_DIR");
  if (extra && *extra) run_dir(extra, &passed, &failed);
  if (passed + failed == 0) {
    fprintf(stderr, "no vector rows ran\n");
    return 1;
  }
  return failed == 0 ? 0 : 1;
}
