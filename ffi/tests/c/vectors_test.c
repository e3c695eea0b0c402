/*
 * The conformance vectors through the C ABI: the runner of tests/vectors.rs, in C, calling only
 * the exported etagcore_* functions. Usage: vectors_test DIR... ; ETAGCORE_VECTORS_DIR adds one
 * more folder (set but empty: unset). Every *.tsv is read (format: ../shared/vectors/FORMAT.md),
 * dispatched on its header row, and summarised as "FILE: N passed, M failed". Exits non-zero on
 * any failure, undecodable cell or missing column, or when no row ran.
 *
 * The format has no length limits, so neither has this runner: lines, cells, columns, files and
 * folder listings live in buffers grown with realloc, every allocation is checked (running out
 * of memory fails the file, it never truncates a row), and everything is freed before exit
 * (`make c-valgrind` runs it with --leak-check=full). ffi/tests/c/vectors/ holds the long rows
 * that prove it.
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "etagcore.h"

/* Growable storage. Sizes double; a request that cannot be met (no memory, or a size that would
 * overflow) answers false and leaves the buffer as it was. */
static bool grow(void **data, size_t *cap, size_t need, size_t elem) {
  if (need <= *cap) return true;
  size_t cap2 = *cap ? *cap : 64;
  while (cap2 < need) cap2 = cap2 <= SIZE_MAX / 2 ? cap2 * 2 : need;
  if (cap2 > SIZE_MAX / elem) return false;
  void *p = realloc(*data, cap2 * elem);
  if (!p) return false;
  *data = p;
  *cap = cap2;
  return true;
}

/* A line of the file, without its line ending; NUL-terminated. */
typedef struct {
  char *data;
  size_t len, cap;
} line_t;

/* A row: its cells point into the line they were split from. */
typedef struct {
  char **cells;
  size_t count, cap;
} row_t;

/* Where decoded cells go: one buffer per run, as long as the longest line, emptied before each
 * row. A cell's bytes never outnumber its text, and each cell is decoded at most once per row,
 * so a row's cells always fit; `scratch_take` still checks. */
static struct {
  uint8_t *data;
  size_t used, cap;
} scratch;

typedef struct {
  etagcore_bytes lines[ETAGCORE_MAX_FIELD_LINES];
  size_t count;
} field_t;

static char failure[512];

/* Records why a row failed and returns false, so checks read `return fail(...)`. */
static bool fail(const char *what, const char *detail) {
  snprintf(failure, sizeof failure, "%s: %s", what, detail);
  return false;
}

/* Splits a line on TAB, in place, into row->cells (grown as needed); false when out of memory. */
static bool split_tabs(char *line, row_t *row) {
  row->count = 0;
  char *start = line;
  for (char *p = line;; p++) {
    if (*p == '\t' || *p == '\0') {
      bool end = *p == '\0';
      *p = '\0';
      if (!grow((void **)&row->cells, &row->cap, row->count + 1, sizeof *row->cells)) return false;
      row->cells[row->count++] = start;
      if (end) return true;
      start = p + 1;
    }
  }
}

/* Reads one line into *line. 1: a line; 0: end of file; -1: error, described in *error. A NUL
 * byte is an error: it would cut the row short without anyone noticing. */
static int read_line(FILE *f, line_t *line, const char **error) {
  line->len = 0;
  for (int c; (c = getc(f)) != EOF && c != '\n';) {
    if (c == '\0') {
      *error = "NUL byte in a line";
      return -1;
    }
    if (!grow((void **)&line->data, &line->cap, line->len + 2, 1)) {
      *error = "out of memory for a line";
      return -1;
    }
    line->data[line->len++] = (char)c;
  }
  if (ferror(f)) {
    *error = "read error";
    return -1;
  }
  if (line->len == 0 && feof(f)) return 0;
  if (!grow((void **)&line->data, &line->cap, line->len + 1, 1)) {
    *error = "out of memory for a line";
    return -1;
  }
  if (line->len > 0 && line->data[line->len - 1] == '\r') line->len--;
  line->data[line->len] = '\0';
  return 1;
}

/* Room for `n` more decoded bytes in the scratch buffer, or NULL. */
static uint8_t *scratch_take(size_t n) {
  if (n > scratch.cap - scratch.used) return NULL;
  return scratch.data + scratch.used;
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

/* Decodes `\xNN` escapes of [text, end) into the scratch buffer: *out and *len (a non-NULL *out
 * even when empty). Any other backslash is an error. */
static bool decode(const char *text, const char *end, const uint8_t **out, size_t *len) {
  uint8_t *dst = scratch_take((size_t)(end - text) + 1);
  size_t n = 0;
  if (!dst) return false;
  for (const char *p = text; p < end; p++) {
    if (*p != '\\') {
      dst[n++] = (uint8_t)*p;
      continue;
    }
    if (end - p < 4 || p[1] != 'x' || hex(p[2]) < 0 || hex(p[3]) < 0) return false;
    dst[n++] = (uint8_t)(hex(p[2]) * 16 + hex(p[3]));
    p += 3;
  }
  scratch.used += n;
  *out = dst;
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
    const uint8_t *bytes = NULL;
    size_t len = 0;
    bool empty = (size_t)(end - start) == strlen("(empty)") && strncmp(start, "(empty)", 7) == 0;
    if (!empty && !decode(start, end, &bytes, &len)) return false;
    field->lines[i] = (etagcore_bytes){.ptr = len ? bytes : NULL, .len = len};
    if (!sep) return true;
    start = sep + 2;
  }
}

static etagcore_field as_field(const field_t *f) {
  return (etagcore_field){.lines = f->count ? f->lines : NULL, .count = f->count};
}

static bool decode_cell(const char *text, const uint8_t **out, size_t *len) {
  return decode(text, text + strlen(text), out, len);
}

static bool yes_no(const char *text, bool *out) {
  if (strcmp(text, "yes") == 0) return (*out = true);
  if (strcmp(text, "no") == 0) return !(*out = false);
  return false;
}

/* A `now` or `resource_last_modified` cell: an IMF-fixdate. */
static bool imf_date(const char *text, int64_t *out) {
  const uint8_t *buf;
  size_t len;
  return decode_cell(text, &buf, &len) && etagcore_http_date_parse(buf, len, 0, out) == ETAGCORE_RESULT_OK;
}

#define COLUMN(name, var)                                  \
  bool found_##var;                                        \
  const char *var = cell(header, row, name, &found_##var); \
  if (!found_##var) return fail("missing column", name)

static bool check_etag(const row_t *header, const row_t *row) {
  COLUMN("input", input);
  COLUMN("valid", valid_text);
  const uint8_t *in;
  size_t in_len;
  bool valid;
  if (!decode_cell(input, &in, &in_len)) return fail("undecodable input", input);
  if (!yes_no(valid_text, &valid)) return fail("valid: not yes/no", valid_text);
  etagcore_entity_tag tag;
  etagcore_result r = etagcore_entity_tag_parse(in_len ? in : NULL, in_len, &tag);
  if (!valid) return r == ETAGCORE_RESULT_INVALID_ENTITY_TAG ? true : fail("accepted invalid tag", input);
  COLUMN("weak", weak_text);
  COLUMN("opaque", opaque_text);
  const uint8_t *opaque;
  size_t opaque_len;
  bool weak;
  if (!yes_no(weak_text, &weak)) return fail("weak: not yes/no", weak_text);
  if (!decode_cell(opaque_text, &opaque, &opaque_len)) return fail("undecodable opaque", opaque_text);
  if (r != ETAGCORE_RESULT_OK) return fail("rejected valid tag", etagcore_result_str(r));
  if (tag.weak != weak || tag.opaque_len != opaque_len || memcmp(tag.opaque, opaque, opaque_len) != 0)
    return fail("wrong tag", input);
  return true;
}

static bool check_date(const row_t *header, const row_t *row) {
  COLUMN("input", input);
  COLUMN("valid", valid_text);
  COLUMN("now", now_text);
  const uint8_t *in;
  size_t in_len;
  bool valid;
  int64_t now, secs;
  if (!decode_cell(input, &in, &in_len)) return fail("undecodable input", input);
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
  const uint8_t *method, *etag = NULL;
  size_t method_len, etag_len = 0;
  bool has_range;
  int64_t now, lm = 0;
  if (!decode_cell(method_text, &method, &method_len)) return fail("undecodable method", method_text);
  if (!yes_no(range_text, &has_range)) return fail("has_range: not yes/no", range_text);
  if (!imf_date(now_text, &now)) return fail("now: not an IMF-fixdate", now_text);
  bool absent = strcmp(etag_text, "(absent)") == 0;
  if (!absent && !decode_cell(etag_text, &etag, &etag_len)) return fail("undecodable resource_etag", etag_text);
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
  etagcore_representation current = {
      .etag = {.ptr = etag_len ? etag : NULL, .len = etag_len},
      .has_last_modified = *lm_text != '\0',
      .last_modified = lm,
  };
  etagcore_decision decision = 0;
  etagcore_result r = etagcore_request_evaluate(&request, absent ? NULL : &current, now, &decision);
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
  size_t ok = 0, bad = 0;
  line_t header_line = {0}, line = {0};
  row_t header = {0}, row = {0};
  check_fn check = NULL;
  const char *error = NULL;
  FILE *f = NULL;
  size_t path_len = strlen(dir) + 1 + strlen(name) + 1;
  char *path = malloc(path_len);
  if (!path) {
    fprintf(stderr, "%s/%s: out of memory for the path\n", dir, name);
    bad++;
    goto done;
  }
  snprintf(path, path_len, "%s/%s", dir, name);
  f = fopen(path, "r");
  if (!f || read_line(f, &header_line, &error) != 1) {
    fprintf(stderr, "%s: cannot read%s%s\n", path, error ? ": " : "", error ? error : "");
    bad++;
    goto done;
  }
  if (!split_tabs(header_line.data, &header)) {
    fprintf(stderr, "%s: out of memory for the header\n", path);
    bad++;
    goto done;
  }
  check = dispatch(&header);
  if (!check) {
    fprintf(stderr, "%s: unknown table kind\n", path);
    bad++;
    goto done;
  }
  for (size_t n = 2;; n++) {
    int got = read_line(f, &line, &error);
    if (got == 0) break;
    if (got < 0) {
      fprintf(stderr, "%s row %zu: %s\n", name, n, error);
      bad++;
      break;
    }
    if (line.len == 0) continue;
    /* Every decoded cell of this row fits in line.len + 1 bytes (see `scratch`). */
    if (!grow((void **)&scratch.data, &scratch.cap, line.len + 1, 1) ||
        !split_tabs(line.data, &row)) {
      fprintf(stderr, "%s row %zu: out of memory\n", name, n);
      bad++;
      break;
    }
    scratch.used = 0;
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
done:
  if (f) fclose(f);
  free(path);
  free(header_line.data);
  free(line.data);
  free(header.cells);
  free(row.cells);
  printf("%s: %zu passed, %zu failed\n", name, ok, bad);
  *passed += ok;
  *failed += bad;
}

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_dir(const char *dir, size_t *passed, size_t *failed) {
  char **names = NULL;
  size_t count = 0, cap = 0;
  bool listed = true;
  DIR *d = opendir(dir);
  if (!d) {
    fprintf(stderr, "%s: cannot open folder\n", dir);
    (*failed)++;
    return;
  }
  for (;;) {
    errno = 0;
    struct dirent *e = readdir(d);
    if (!e) {
      if (errno != 0) {
        fprintf(stderr, "%s: cannot list folder\n", dir);
        listed = false;
      }
      break;
    }
    size_t len = strlen(e->d_name);
    if (len <= 4 || strcmp(e->d_name + len - 4, ".tsv") != 0) continue;
    char *copy = NULL;
    if (!grow((void **)&names, &cap, count + 1, sizeof *names) || !(copy = strdup(e->d_name))) {
      fprintf(stderr, "%s: out of memory for the file list\n", dir);
      listed = false;
      break;
    }
    names[count++] = copy;
  }
  closedir(d);
  if (!listed) {
    (*failed)++;
  } else if (count == 0) {
    fprintf(stderr, "%s: no *.tsv\n", dir);
    (*failed)++;
  } else {
    qsort(names, count, sizeof names[0], by_name);
    for (size_t i = 0; i < count; i++) run_file(dir, names[i], passed, failed);
  }
  for (size_t i = 0; i < count; i++) free(names[i]);
  free(names);
}

int main(int argc, char **argv) {
  size_t passed = 0, failed = 0;
  for (int i = 1; i < argc; i++) run_dir(argv[i], &passed, &failed);
  /* Set but empty means unset, as in servers/farm/vectors.py and the Makefile's VECTORS_DIR. */
  const char *extra = getenv("ETAGCORE_VECTORS_DIR");
  if (extra && *extra) run_dir(extra, &passed, &failed);
  free(scratch.data);
  if (passed + failed == 0) {
    fprintf(stderr, "no vector rows ran\n");
    return 1;
  }
  return failed == 0 ? 0 : 1;
}
