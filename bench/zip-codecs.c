// zip-codecs.c: the micro-benchmark behind the codec choice of the zip
// layer (docs/architecture.md, "Zip layer"). Not part of the build;
// bench/zip-codecs.sh compiles and runs it.
//
//   zip-codecs FILE [RUNS]
//       Deflates FILE at level 6 with zlib and with libdeflate, inflates the
//       result with zlib (streaming, 256 KiB window, as forEachChunk does)
//       and with libdeflate (whole buffer, as extract does), and computes
//       CRC-32 (zlib, libdeflate) and SHA-256 (OpenSSL EVP). Prints the
//       median wall time of RUNS (default 9) of each, in ms and MB/s of the
//       uncompressed size.
#include <libdeflate.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

static double now(void) {
  struct timespec T;
  clock_gettime(CLOCK_MONOTONIC, &T);
  return T.tv_sec + T.tv_nsec / 1e9;
}

static int cmp(const void *A, const void *B) {
  double X = *(const double *)A, Y = *(const double *)B;
  return X < Y ? -1 : X > Y;
}

static unsigned char *In, *Z, *Out;
static size_t InSize, ZSize, ZlibSize;
static volatile unsigned long Sink;

static void zlibDeflate(void) {
  z_stream S = {0};
  deflateInit2(&S, 6, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  S.next_in = In;
  S.avail_in = InSize;
  S.next_out = Out;
  S.avail_out = InSize + InSize / 100 + 1024;
  deflate(&S, Z_FINISH);
  ZlibSize = S.total_out;
  deflateEnd(&S);
}
static void ldDeflate(void) {
  struct libdeflate_compressor *C = libdeflate_alloc_compressor(6);
  ZSize = libdeflate_deflate_compress(C, In, InSize, Z, InSize + 65536);
  libdeflate_free_compressor(C);
}
static void zlibInflate(void) {
  static unsigned char Window[256 * 1024];
  z_stream S = {0};
  inflateInit2(&S, -MAX_WBITS);
  S.next_in = Z;
  S.avail_in = ZSize;
  int RC;
  do {
    S.next_out = Window;
    S.avail_out = sizeof Window;
    RC = inflate(&S, Z_NO_FLUSH);
    Sink += Window[0];
  } while (RC == Z_OK);
  inflateEnd(&S);
}
static void ldInflate(void) {
  struct libdeflate_decompressor *D = libdeflate_alloc_decompressor();
  libdeflate_deflate_decompress(D, Z, ZSize, Out, InSize, NULL);
  libdeflate_free_decompressor(D);
}
static void zlibCrc(void) { Sink += crc32(0, In, InSize); }
static void ldCrc(void) { Sink += libdeflate_crc32(0, In, InSize); }
static void sha256(void) {
  unsigned char D[32];
  unsigned L;
  EVP_Digest(In, InSize, D, &L, EVP_sha256(), NULL);
  Sink += D[0];
}

static void bench(const char *Name, void (*Fn)(void), int Runs) {
  double T[64];
  for (int I = 0; I < Runs; ++I) {
    double S = now();
    Fn();
    T[I] = now() - S;
  }
  qsort(T, Runs, sizeof T[0], cmp);
  printf("%-22s %9.2f ms %8.0f MB/s\n", Name, T[Runs / 2] * 1e3,
         InSize / T[Runs / 2] / 1e6);
}

int main(int argc, char **argv) {
  if (argc < 2)
    return fprintf(stderr, "usage: zip-codecs FILE [RUNS]\n"), 2;
  int Runs = argc > 2 ? atoi(argv[2]) : 9;
  if (Runs < 1 || Runs > 64)
    Runs = 9;
  FILE *F = fopen(argv[1], "rb");
  if (!F)
    return perror(argv[1]), 1;
  fseek(F, 0, SEEK_END);
  InSize = ftell(F);
  rewind(F);
  In = malloc(InSize);
  Z = malloc(InSize + 65536);
  Out = malloc(InSize + InSize / 100 + 1024);
  if (fread(In, 1, InSize, F) != InSize)
    return perror(argv[1]), 1;
  fclose(F);
  bench("deflate -6 zlib", zlibDeflate, Runs);
  bench("deflate -6 libdeflate", ldDeflate, Runs);
  printf("compressed: zlib %zu, libdeflate %zu bytes of %zu\n", ZlibSize,
         ZSize, InSize);
  bench("inflate zlib (stream)", zlibInflate, Runs);
  bench("inflate libdeflate", ldInflate, Runs);
  bench("crc32 zlib", zlibCrc, Runs);
  bench("crc32 libdeflate", ldCrc, Runs);
  bench("sha256 openssl", sha256, Runs);
  return 0;
}
