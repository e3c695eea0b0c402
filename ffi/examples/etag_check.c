/*
 * etag_check: what a C server does with etagcore, in one program.
 *
 *   etag_check FILE [IF-NONE-MATCH]
 *
 * Streams FILE through the content hasher and prints its ETag; with a second argument, treats it
 * as the request's If-None-Match field value for a GET and prints the status etagcore decides.
 * Build against an installed etagcore:
 *
 *   cc etag_check.c $(pkg-config --cflags --libs etagcore) -o etag_check
 */
#include <stdio.h>
#include <string.h>

#include <etagcore.h>

static int fail(const char *what, etagcore_result r) {
  fprintf(stderr, "etag_check: %s: %s\n", what, etagcore_result_str(r));
  return 1;
}

int main(int argc, char **argv) {
  if (argc < 2 || argc > 3) {
    fprintf(stderr, "usage: etag_check FILE [IF-NONE-MATCH]\n");
    return 2;
  }
  if (strcmp(etagcore_version(), ETAGCORE_VERSION_STRING) != 0) {
    fprintf(stderr, "etag_check: header %s, library %s\n", ETAGCORE_VERSION_STRING, etagcore_version());
    return 1;
  }
  FILE *file = fopen(argv[1], "rb");
  if (!file) {
    perror(argv[1]);
    return 1;
  }
  etagcore_hasher hasher; /* caller-owned state: no malloc anywhere */
  etagcore_result r = etagcore_hasher_init(&hasher);
  unsigned char chunk[65536];
  size_t n;
  while (r == ETAGCORE_RESULT_OK && (n = fread(chunk, 1, sizeof chunk, file)) > 0) {
    r = etagcore_hasher_update(&hasher, chunk, n);
  }
  fclose(file);
  if (r != ETAGCORE_RESULT_OK) return fail("hash", r);

  uint8_t etag[ETAGCORE_CONTENT_TAG_LEN];
  size_t etag_len = 0;
  r = etagcore_hasher_finish(&hasher, 0 /* strong */, etag, sizeof etag, &etag_len);
  if (r != ETAGCORE_RESULT_OK) return fail("finish", r);
  printf("%.*s  %s\n", (int)etag_len, (const char *)etag, argv[1]);
  if (argc == 2) return 0;

  etagcore_bytes line = {.ptr = (const uint8_t *)argv[2], .len = strlen(argv[2])};
  etagcore_request request = {
      .method = {.ptr = (const uint8_t *)"GET", .len = 3},
      .if_none_match = {.lines = &line, .count = 1},
  };
  etagcore_representation current = {.etag = {.ptr = etag, .len = etag_len}};
  etagcore_decision decision;
  r = etagcore_request_evaluate(&request, &current, 0, &decision);
  if (r != ETAGCORE_RESULT_OK) return fail("evaluate", r);
  printf("If-None-Match: %s -> %u\n", argv[2], (unsigned)decision);
  return 0;
}
