// copy-paths.c: the micro-benchmarks behind the copy paths of FileCopy.h
// (docs/performance.md). Not part of the build; bench/copy-paths.sh compiles
// and runs it.
//
//   copy-paths copy FILE METHOD SRC DST [RUNS]
//       Writes DST bytes of new head, then copies FILE from offset SRC to a
//       new file in the current directory by METHOD: cfr (copy_file_range),
//       sendfile, splice-64k / splice-1m (through a pipe of that size),
//       pread (a 1 MiB buffer), mmap (write() from a mapping). Prints the
//       median wall time of RUNS (default 30). SRC != DST: the tail moves,
//       as in a size-changing edit; SRC == DST: a same-size edit.
//   copy-paths replace FILE MODE [RUNS]
//       Replaces an existing copy of FILE (written back to disk first) with
//       an edited one: trunc (cp: O_TRUNC then copy_file_range), rename (a
//       temporary, then rename over: what wasm-set-rpath does), exchange
//       (renameat2(RENAME_EXCHANGE), then unlink the old file: no ext4
//       auto_da_alloc flush, and no crash protection either). Prints the
//       median, and the time spent in the rename alone.
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec T;
  clock_gettime(CLOCK_MONOTONIC, &T);
  return T.tv_sec * 1e3 + T.tv_nsec / 1e6;
}

static int cmp(const void *A, const void *B) {
  double X = *(const double *)A, Y = *(const double *)B;
  return X < Y ? -1 : X > Y;
}

static void die(const char *What) {
  perror(What);
  exit(1);
}

static void writeAll(int FD, const char *P, size_t N) {
  while (N) {
    ssize_t W = write(FD, P, N);
    if (W <= 0)
      die("write");
    P += W;
    N -= W;
  }
}

static void copy(const char *Method, int In, off_t Src, size_t Size, int Out) {
  loff_t Off = Src;
  if (!strcmp(Method, "cfr")) {
    while (Size) {
      ssize_t N = copy_file_range(In, &Off, Out, NULL, Size, 0);
      if (N <= 0)
        die("copy_file_range");
      Size -= N;
    }
  } else if (!strcmp(Method, "sendfile")) {
    off_t O = Src;
    while (Size) {
      ssize_t N = sendfile(Out, In, &O, Size);
      if (N <= 0)
        die("sendfile");
      Size -= N;
    }
  } else if (!strncmp(Method, "splice-", 7)) {
    int P[2];
    if (pipe(P))
      die("pipe");
    int Cap = fcntl(P[1], F_SETPIPE_SZ, strcmp(Method, "splice-1m") ? 65536 : 1 << 20);
    while (Size) {
      ssize_t N = splice(In, &Off, P[1], NULL, Size < (size_t)Cap ? Size : (size_t)Cap, SPLICE_F_MOVE);
      if (N <= 0)
        die("splice in");
      Size -= N;
      while (N) {
        ssize_t M = splice(P[0], NULL, Out, NULL, N, SPLICE_F_MOVE);
        if (M <= 0)
          die("splice out");
        N -= M;
      }
    }
    close(P[0]);
    close(P[1]);
  } else if (!strcmp(Method, "pread")) {
    static char *Buf;
    if (!Buf)
      Buf = malloc(1 << 20);
    while (Size) {
      ssize_t N = pread(In, Buf, Size < (1 << 20) ? Size : (1 << 20), Off);
      if (N <= 0)
        die("pread");
      writeAll(Out, Buf, N);
      Off += N;
      Size -= N;
    }
  } else if (!strcmp(Method, "mmap")) {
    char *M = mmap(NULL, Src + Size, PROT_READ, MAP_SHARED, In, 0);
    if (M == MAP_FAILED)
      die("mmap");
    writeAll(Out, M + Src, Size);
    munmap(M, Src + Size);
  } else {
    fprintf(stderr, "unknown method %s\n", Method);
    exit(2);
  }
}

int main(int Argc, char **Argv) {
  if (Argc < 4) {
    fprintf(stderr, "usage: see the comment at the top of copy-paths.c\n");
    return 2;
  }
  const char *Mode = Argv[1], *File = Argv[2];
  int In = open(File, O_RDONLY);
  struct stat St;
  if (In < 0 || fstat(In, &St))
    die(File);
  char Head[8192];
  memset(Head, 'h', sizeof Head);
  double T[1000], R[1000];
  int Runs;
  if (!strcmp(Mode, "copy")) {
    const char *Method = Argv[3];
    long Src = atol(Argv[4]), Dst = atol(Argv[5]);
    Runs = Argc > 6 ? atoi(Argv[6]) : 30;
    for (int I = 0; I < Runs; I++) {
      double A = now();
      int Out = open("copy-paths.out", O_WRONLY | O_CREAT | O_EXCL, 0600);
      if (Out < 0)
        die("copy-paths.out");
      writeAll(Out, Head, Dst);
      copy(Method, In, Src, St.st_size - Src, Out);
      close(Out);
      T[I] = now() - A;
      unlink("copy-paths.out");
    }
    qsort(T, Runs, sizeof *T, cmp);
    printf("%-10s %ld -> %ld: median %.2f ms\n", Method, Src, Dst, T[Runs / 2]);
    return 0;
  }
  const char *How = Argv[3];
  Runs = Argc > 4 ? atoi(Argv[4]) : 30;
  for (int I = 0; I < Runs; I++) {
    unlink("copy-paths.dst");
    int D = open("copy-paths.dst", O_WRONLY | O_CREAT | O_EXCL, 0644);
    copy("cfr", In, 0, St.st_size, D);
    fsync(D);
    close(D);
    double A = now(), B = A, C;
    if (!strcmp(How, "trunc")) {
      int Out = open("copy-paths.dst", O_WRONLY | O_TRUNC);
      copy("cfr", In, 0, St.st_size, Out);
      close(Out);
      B = C = now(); // No rename.
    } else {
      int Old = open("copy-paths.dst", O_RDONLY);
      int Out = open(".copy-paths.tmp", O_WRONLY | O_CREAT | O_EXCL, 0644);
      writeAll(Out, Head, 44);
      copy("splice-1m", Old, 26, St.st_size - 26, Out);
      B = now();
      if (!strcmp(How, "exchange")) {
        if (renameat2(AT_FDCWD, ".copy-paths.tmp", AT_FDCWD, "copy-paths.dst", RENAME_EXCHANGE))
          die("renameat2");
        C = now();
        unlink(".copy-paths.tmp");
      } else {
        if (rename(".copy-paths.tmp", "copy-paths.dst"))
          die("rename");
        C = now();
      }
      close(Out);
      close(Old); // The last reference to the old file: its blocks are freed.
    }
    T[I] = now() - A;
    R[I] = C - B;
  }
  unlink("copy-paths.dst");
  qsort(T, Runs, sizeof *T, cmp);
  qsort(R, Runs, sizeof *R, cmp);
  printf("%-9s median %.2f ms (rename alone %.2f ms)\n", How, T[Runs / 2], R[Runs / 2]);
  return 0;
}
