// The ring buffer consume floor: libbpf's ring_buffer__consume on a RINGBUF filled with 64-byte records,
// the same workload as RingBufferReaderStressKernelTest.throughput on the Java side (whose BulkFiller loads
// the same program).
// A tiny SCHED_CLS program calls bpf_ringbuf_output once per run; BPF_PROG_TEST_RUN with `repeat` runs it
// until the ring is full (later runs get -EAGAIN and change nothing). Only the consume is timed; the callback
// reads the first 8 bytes of each record, as the Java handler does. Two cache states, as in the Java test:
// "hot" (a ring that fits in L2, consumed right after the fill) and "cold" (a 64 MiB sweep before each
// consume evicts the records from the private caches).
// Prints "<hot|cold>\t<ring bytes>\t<records per round>\t<best ns/record>\t<median ns/record>".
// Build: cc -O2 -o ringbuf_floor ringbuf_floor.c -lbpf
// Run:   taskset -c 0 ./ringbuf_floor [rounds] [ring bytes] [hot|cold]   (defaults: 15 4194304 cold)
// The Java side's runs: taskset -c 0 ./ringbuf_floor 400 262144 hot; taskset -c 0 ./ringbuf_floor 30 4194304 cold
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RECORD 64
#define SWEEP (64 << 20)

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
    struct bpf_insn i;
    memset(&i, 0, sizeof(i));
    i.code = code;
    i.dst_reg = dst;
    i.src_reg = src;
    i.off = off;
    i.imm = imm;
    return i;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

static int on_record(void *ctx, void *data, size_t len) {
    *(uint64_t *) ctx += *(const uint64_t *) data + len;
    return 0;
}

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 15;
    int ring_size = argc > 2 ? atoi(argv[2]) : 4 << 20;
    int cold = argc > 3 ? strcmp(argv[3], "hot") != 0 : 1;
    volatile unsigned char *sweep = cold ? calloc(1, SWEEP) : NULL;
    if (rounds < 1) {
        rounds = 1;
    }
    int map_fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "floor_rb", 0, 0, ring_size, NULL);
    if (map_fd < 0) {
        fprintf(stderr, "ringbuf create: %s\n", strerror(errno));
        return 1;
    }
    // r1..r4 = map, &stack[-64], 64, 0; call bpf_ringbuf_output; return 0. The stack record is zeroed first.
    struct bpf_insn prog[32];
    int n = 0;
    for (int off = -RECORD; off < 0; off += 8) {
        prog[n++] = insn(BPF_ST | BPF_MEM | BPF_DW, BPF_REG_10, 0, off, 0);
    }
    prog[n++] = insn(BPF_LD | BPF_IMM | BPF_DW, BPF_REG_1, BPF_PSEUDO_MAP_FD, 0, map_fd);
    prog[n++] = insn(0, 0, 0, 0, 0);
    prog[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_2, BPF_REG_10, 0, 0);
    prog[n++] = insn(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_2, 0, 0, -RECORD);
    prog[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_3, 0, 0, RECORD);
    prog[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_4, 0, 0, 0);
    prog[n++] = insn(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_ringbuf_output);
    prog[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0);
    prog[n++] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
    char log[4096] = "";
    LIBBPF_OPTS(bpf_prog_load_opts, load, .log_buf = log, .log_size = sizeof(log), .log_level = 0);
    int prog_fd = bpf_prog_load(BPF_PROG_TYPE_SCHED_CLS, "floor_fill", "GPL", prog, n, &load);
    if (prog_fd < 0) {
        fprintf(stderr, "prog load: %s\n%s\n", strerror(errno), log);
        return 1;
    }
    uint64_t sink = 0;
    struct ring_buffer *rb = ring_buffer__new(map_fd, on_record, &sink, NULL);
    if (!rb) {
        fprintf(stderr, "ring_buffer__new: %s\n", strerror(errno));
        return 1;
    }
    int capacity = (ring_size - 1) / (RECORD + 8);
    unsigned char packet[64] = {0};
    double *ns = calloc(rounds, sizeof(double));
    for (int r = 0; r < rounds; r++) {
        LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = packet, .data_size_in = sizeof(packet),
                    .repeat = capacity + 1);
        if (bpf_prog_test_run_opts(prog_fd, &run) < 0) {
            fprintf(stderr, "test run: %s\n", strerror(errno));
            return 1;
        }
        if (cold) {
            for (long k = 0; k < SWEEP; k += 64) {
                sweep[k]++;
            }
        }
        double t0 = now_ns();
        int got = ring_buffer__consume(rb);
        double dt = now_ns() - t0;
        if (got != capacity) {
            fprintf(stderr, "round %d: consumed %d records, expected %d\n", r, got, capacity);
            return 1;
        }
        ns[r] = dt / got;
    }
    qsort(ns, rounds, sizeof(double), cmp_double);
    printf("%s\t%d\t%d\t%.2f\t%.2f\n", cold ? "cold" : "hot", ring_size, capacity, ns[0], ns[rounds / 2]);
    fprintf(stderr, "sink %llu\n", (unsigned long long) sink);
    ring_buffer__free(rb);
    return 0;
}
