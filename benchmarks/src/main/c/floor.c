// The syscall floor: the same map operations as MapOpsBenchmark, through libbpf, timed in C.
// Prints one line per (type, operation): "<TYPE>\t<operation>\t<ns per op>".
// Build: cc -O2 -o floor floor.c -lbpf      Run: ./floor [iterations [round]] [TYPE]
// With a round size, every figure is instead the least mean over rounds of that many operations (batch rows:
// of round/BATCH batches), the estimator the FFM prototype uses too: on a shared, busy machine the least round
// is the one no other process interrupted. A TYPE (e.g. HASH) limits the run to that map type.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define ENTRIES 1024
#define BATCH 256

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static long round_size; /* 0: one mean over all iterations */
static double best_ns;   /* least round mean so far, in round mode */
static long in_round;
static double round_start;

static void report(const char *type, const char *op, double total_ns, long ops) {
    if (round_size > 0) {
        printf("%s\t%s\t%.2f\n", type, op, best_ns);
    } else {
        printf("%s\t%s\t%.2f\n", type, op, total_ns / (double) ops);
    }
}

/* Round bookkeeping, called once per operation (per batch: with ops = BATCH); cheap when round_size is 0. */
static inline void tick(long ops) {
    if (round_size > 0) {
        in_round += ops;
        if (in_round >= round_size) {
            double t = now_ns();
            double mean = (t - round_start) / (double) in_round;
            if (mean < best_ns) {
                best_ns = mean;
            }
            in_round = 0;
            round_start = now_ns();
        }
    }
}

static void start_rounds(void) {
    best_ns = 1e18;
    in_round = 0;
    round_start = now_ns();
}

/* A key as MapOpsBenchmark builds it: the u32 itself, or for LPM a /32 prefix (prefixlen, address). */
static void set_key(uint32_t *key, int lpm, uint32_t k) {
    if (lpm) {
        key[0] = 32;
        key[1] = k;
    } else {
        key[0] = k;
    }
}

static int run(const char *name, enum bpf_map_type type, long iters) {
    int ncpus = libbpf_num_possible_cpus();
    int percpu = type == BPF_MAP_TYPE_PERCPU_ARRAY;
    int lpm = type == BPF_MAP_TYPE_LPM_TRIE;
    int array = percpu || type == BPF_MAP_TYPE_ARRAY;
    int words = lpm ? 2 : 1;
    size_t vbuf = percpu ? 8 * (size_t) ncpus : 8;
    __u32 flags = type == BPF_MAP_TYPE_HASH || type == BPF_MAP_TYPE_LRU_HASH ? BPF_F_ZERO_SEED
                : lpm ? BPF_F_NO_PREALLOC : 0;
    LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = flags);
    int fd = bpf_map_create(type, "bench", 4 * words, 8, ENTRIES, &opts);
    if (fd < 0) {
        fprintf(stderr, "create %s: %s\n", name, strerror(errno));
        return 1;
    }
    unsigned char *value = calloc(1, vbuf);
    unsigned char *bvalues = calloc(BATCH, vbuf);
    uint32_t bkeys[BATCH * 2];
    uint32_t key[2], next[2];
    uint32_t k;
    for (k = 0; k < ENTRIES; k++) {
        set_key(key, lpm, k);
        bpf_map_update_elem(fd, key, value, BPF_ANY);
    }
    for (k = 0; k < BATCH; k++) {
        set_key(&bkeys[k * words], lpm, k);
    }
    double t0;
    long i;
    volatile int sink = 0;

    t0 = now_ns();
    start_rounds();
    for (i = 0; i < iters; i++) {
        set_key(key, lpm, i & (ENTRIES - 1));
        sink += bpf_map_lookup_elem(fd, key, value);
        tick(1);
    }
    report(name, "lookupHit", now_ns() - t0, iters);

    t0 = now_ns();
    start_rounds();
    for (i = 0; i < iters; i++) {
        set_key(key, lpm, (array ? ENTRIES : 1000000) + (i & (ENTRIES - 1)));
        sink += bpf_map_lookup_elem(fd, key, value);
        tick(1);
    }
    report(name, "lookupMiss", now_ns() - t0, iters);

    t0 = now_ns();
    start_rounds();
    for (i = 0; i < iters; i++) {
        set_key(key, lpm, i & (ENTRIES - 1));
        sink += bpf_map_update_elem(fd, key, value, BPF_ANY);
        tick(1);
    }
    report(name, "update", now_ns() - t0, iters);

    t0 = now_ns();
    start_rounds();
    for (i = 0; i < iters; i++) {
        set_key(key, lpm, i & (ENTRIES - 1));
        if (!array) {
            sink += bpf_map_delete_elem(fd, key);
        }
        sink += bpf_map_update_elem(fd, key, value, BPF_ANY);
        tick(1);
    }
    report(name, "deleteAndUpdate", now_ns() - t0, iters);

    next[0] = next[1] = UINT32_MAX;
    t0 = now_ns();
    start_rounds();
    for (i = 0; i < iters; i++) {
        if (bpf_map_get_next_key(fd, next, next) != 0) {
            next[0] = next[1] = UINT32_MAX;
        }
        tick(1);
    }
    report(name, "nextKey", now_ns() - t0, iters);

    long batches = iters / BATCH > 0 ? iters / BATCH : 1;
    uint32_t out_batch[64];
    uint32_t lkeys[BATCH * 2];
    t0 = now_ns();
    start_rounds();
    for (i = 0; i < batches; i++) {
        __u32 count = BATCH;
        sink += bpf_map_lookup_batch(fd, NULL, out_batch, lkeys, bvalues, &count, NULL);
        tick(BATCH);
    }
    report(name, "lookupBatch", now_ns() - t0, batches * BATCH);
    t0 = now_ns();
    start_rounds();
    for (i = 0; i < batches; i++) {
        __u32 count = BATCH;
        sink += bpf_map_update_batch(fd, bkeys, bvalues, &count, NULL);
        tick(BATCH);
    }
    report(name, "updateBatch", now_ns() - t0, batches * BATCH);

    free(value);
    free(bvalues);
    close(fd);
    return sink == 12345 ? 2 : 0;
}

int main(int argc, char **argv) {
    long iters = argc > 1 ? atol(argv[1]) : 2000000;
    round_size = argc > 2 ? atol(argv[2]) : 0;
    const char *only = argc > 3 ? argv[3] : NULL;
    int rc = 0;
#define RUN(NAME, TYPE) if (!only || strcmp(only, NAME) == 0) rc |= run(NAME, TYPE, iters)
    RUN("HASH", BPF_MAP_TYPE_HASH);
    RUN("ARRAY", BPF_MAP_TYPE_ARRAY);
    RUN("PERCPU_ARRAY", BPF_MAP_TYPE_PERCPU_ARRAY);
    RUN("LRU_HASH", BPF_MAP_TYPE_LRU_HASH);
    RUN("LPM_TRIE", BPF_MAP_TYPE_LPM_TRIE);
    return rc;
}
