// The compiled program's interpreter: a training or inference pass is a list of commands (one op
// each, with the byte offsets the memory plan chose), run in one call. Every thread runs every
// command on its own part (rows, images or channels) and meets the others at a barrier after it;
// reductions (filter gradients, BatchNorm sums) go through per-thread partial buffers.
// Built twice: with EFFNET_THREADS (shared memory, atomics) and without (one thread).
#include "common.h"
#include "kernels.h"
#include "update.h"

/** Words per command: the opcode and up to 23 arguments. */
#define CMD_WORDS 24
/** Spins on a barrier before sleeping on it. */
#define SPIN 200000

enum {
  OP_GEMM = 1,            // a b c M N K                     rows of M
  OP_CONV = 2,            // x w y N geometry[10] cols colsStride chunk    rows
  OP_CONV_DINPUT = 3,     // dy wT dx N geometry[10] cols colsStride chunk images
  OP_CONV_DFILTER = 4,    // x dy dw N geometry[10] cols colsStride chunk partials    rows, then reduce
  OP_GEMM_TN = 5,         // a b c M K N partials            rows, then reduce
  OP_DEPTHWISE = 6,       // x w y geometry[10]              images
  OP_DEPTHWISE_BACK = 7,  // x w dy dx dw geometry[10] partials    images, then reduce
  OP_BN_STATS = 8,        // z M C mean variance partials64  rows / channels, 3 barriers
  OP_BN_COEF = 9,         // mean variance gamma beta eps C coef     thread 0
  OP_BN_APPLY = 10,       // z M C coef act y dact(or 0)     rows
  OP_BN_BACK = 11,        // dy z M C coef gamma beta act dz dgamma dbeta partials64 means dact(or 0)    rows / channels
  OP_ACT = 12,            // x y n act                       elements
  OP_ACT_BACK = 13,       // dy x dx n act
  OP_SIGMOID_BACK = 14,   // dy y dx n
  OP_MEAN = 15,           // x y B S C                       images
  OP_MEAN_BACK = 16,      // dy dx B S C
  OP_GATE = 17,           // x g y B S C
  OP_GATE_BACK = 18,      // dy x g dx dg B S C
  OP_MUL = 19,            // a b y n
  OP_ADD = 20,            // a b y n
  OP_COPY = 21,           // src dst n
  OP_SCALE_ROWS = 22,     // x factor y R n                  rows
  OP_BIAS_ADD = 23,       // y bias M C                      rows
  OP_BIAS_GRAD = 24,      // dy db M C partials              rows, then reduce
  OP_TRANSPOSE = 25,      // src dst rows cols               thread 0
  OP_SOFTMAX_CE = 26,     // logits labels dlogits B N loss  thread 0
  OP_CHECK = 27,          // table count loss result         thread 0: result = loss, |g|^2, finite
  OP_OPTIMIZE = 28,       // table count total params result elements (skipped unless finite)
  OP_EMA = 29,            // table count total params result elements (params: decay, rest)
  OP_STATISTICS = 30,     // table count params result       thread 0
};

typedef struct {
  int start;   // generation of runs; workers sleep on it
  int done;    // workers done with the current run
  int quit;
  int bar_count, bar_gen;
  const int *cmds;
  int count, threads;
  int failed;  // set (by the engine's JavaScript) when a thread trapped: everyone stops waiting
} Control;

static Control ctl;

/** Address of the control block (the engine resets it when it starts a pool). */
EXPORT(control_block) Control *control_block(void) { return &ctl; }

#ifdef EFFNET_THREADS
#define LOAD(p) __atomic_load_n(p, __ATOMIC_ACQUIRE)
static int failed(void) { return LOAD(&ctl.failed); }

// Waits while *p == value: spins, then sleeps in slices of 50 ms (or spins where this thread may
// not sleep). Returns early once a thread has failed.
static void sleep_while(int *p, int value, int can_wait) {
  for (int i = 0; i < SPIN; i++)
    if (LOAD(p) != value || failed()) return;
  while (LOAD(p) == value && !failed())
    if (can_wait) __builtin_wasm_memory_atomic_wait32(p, value, 50000000LL);
}

static void barrier(int threads, int can_wait) {
  if (threads <= 1) return;
  int gen = LOAD(&ctl.bar_gen);
  if (__atomic_add_fetch(&ctl.bar_count, 1, __ATOMIC_ACQ_REL) == threads) {
    __atomic_store_n(&ctl.bar_count, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&ctl.bar_gen, gen + 1, __ATOMIC_RELEASE);
    __builtin_wasm_memory_atomic_notify(&ctl.bar_gen, (unsigned)threads);
    return;
  }
  sleep_while(&ctl.bar_gen, gen, can_wait);
}
#else
static void barrier(int threads, int can_wait) { (void)threads, (void)can_wait; }
static int failed(void) { return 0; }
#endif

// [begin, end) of thread t's share of n items, shares a multiple of `align` where possible.
static void share(int n, int t, int T, int align, int *begin, int *end) {
  int units = (n + align - 1) / align;
  int b = (int)((long long)units * t / T) * align, e = (int)((long long)units * (t + 1) / T) * align;
  *begin = b < n ? b : n;
  *end = e < n ? e : n;
}

static float as_float(int bits) {
  union { int i; float f; } u = {bits};
  return u.f;
}

#define P(i) ((float *)(long)a[i])
#define D(i) ((double *)(long)a[i])
#define I(i) (a[i])

// dst[i] += partials[p][i] for p < parts, over thread t's share of n values.
static void reduce_into(float *dst, const float *partials, int parts, int n, int t, int T) {
  int b, e;
  share(n, t, T, 4, &b, &e);
  for (int p = 0; p < parts; p++) add(dst + b, partials + (long)p * n + b, dst + b, e - b);
}

static void run_command(const int *a, int t, int T, int can_wait) {
  int b, e;
  switch (a[0]) {
    case OP_GEMM: {
      int M = I(4), N = I(5), K = I(6);
      share(M, t, T, 4, &b, &e);
      if (e > b) gemm(P(1) + (long)b * K, P(2), P(3) + (long)b * N, e - b, N, K, 0);
      break;
    }
    case OP_CONV: {
      const Geometry *g = (const Geometry *)(a + 5);
      int M = g->B * g->Ho * g->Wo;
      share(M, t, T, 4, &b, &e);
      conv_forward_rows(P(1), P(2), P(3), I(4), g, P(15) + (long)t * I(16), I(17), b, e);
      break;
    }
    case OP_CONV_DINPUT: {
      const Geometry *g = (const Geometry *)(a + 5);
      share(g->B, t, T, 1, &b, &e);
      conv_backward_input_images(P(1), P(2), P(3), I(4), g, P(15) + (long)t * I(16), I(17), b, e);
      break;
    }
    case OP_CONV_DFILTER: {
      const Geometry *g = (const Geometry *)(a + 5);
      int M = g->B * g->Ho * g->Wo, KN = g->k * g->k * g->C * I(4);
      share(M, t, T, 4, &b, &e);
      conv_backward_filter_rows(P(1), P(2), t == 0 ? P(3) : P(18) + (long)(t - 1) * KN, I(4), g, P(15) + (long)t * I(16), I(17), b, e);
      barrier(T, can_wait);
      reduce_into(P(3), P(18), T - 1, KN, t, T);
      break;
    }
    case OP_GEMM_TN: {
      int M = I(4), K = I(5), N = I(6);
      share(M, t, T, 4, &b, &e);
      float *dst = t == 0 ? P(3) : P(7) + (long)(t - 1) * K * N;
      if (e > b) gemm_tn(P(1) + (long)b * K, P(2) + (long)b * N, dst, e - b, K, N, 0);
      else __builtin_memset(dst, 0, (unsigned long)K * N * sizeof(float));
      barrier(T, can_wait);
      reduce_into(P(3), P(7), T - 1, K * N, t, T);
      break;
    }
    case OP_DEPTHWISE: {
      const Geometry *g = (const Geometry *)(a + 4);
      share(g->B, t, T, 1, &b, &e);
      long in = (long)g->H * g->W * g->C, out = (long)g->Ho * g->Wo * g->C;
      if (e > b) depthwise_forward(P(1) + b * in, P(2), P(3) + b * out, e - b, g->H, g->W, g->C, g->k, g->s, g->top, g->left, g->Ho, g->Wo);
      break;
    }
    case OP_DEPTHWISE_BACK: {
      const Geometry *g = (const Geometry *)(a + 6);
      share(g->B, t, T, 1, &b, &e);
      long in = (long)g->H * g->W * g->C, out = (long)g->Ho * g->Wo * g->C;
      int KC = g->k * g->k * g->C;
      float *dw = t == 0 ? P(5) : P(16) + (long)(t - 1) * KC;
      float *dx = I(4) ? P(4) + b * in : 0;
      if (e > b) depthwise_backward(P(1) + b * in, P(2), P(3) + b * out, dx, dw, e - b, g->H, g->W, g->C, g->k, g->s, g->top, g->left, g->Ho, g->Wo, 0);
      else __builtin_memset(dw, 0, (unsigned long)KC * sizeof(float));
      barrier(T, can_wait);
      reduce_into(P(5), P(16), T - 1, KC, t, T);
      break;
    }
    case OP_BN_STATS: {
      int M = I(2), C = I(3);
      float *z = P(1), *mean = P(4), *variance = P(5);
      double *partial = D(6);
      share(M, t, T, 1, &b, &e);
      bn_column_sums(z + (long)b * C, e - b, C, partial + (long)t * C);
      barrier(T, can_wait);
      int cb, ce;
      share(C, t, T, 1, &cb, &ce);
      for (int c = cb; c < ce; c++) {
        double s = 0;
        for (int p = 0; p < T; p++) s += partial[(long)p * C + c];
        mean[c] = (float)(s / M);
      }
      barrier(T, can_wait);
      bn_squared_deviations(z + (long)b * C, e - b, C, mean, partial + (long)t * C);
      barrier(T, can_wait);
      for (int c = cb; c < ce; c++) {
        double s = 0;
        for (int p = 0; p < T; p++) s += partial[(long)p * C + c];
        variance[c] = (float)(s / M);
      }
      break;
    }
    case OP_BN_COEF:
      if (t == 0) bn_coefficients(P(1), P(2), P(3), P(4), as_float(I(5)), I(6), P(7));
      break;
    case OP_BN_APPLY: {
      int C = I(3);
      share(I(2), t, T, 1, &b, &e);
      if (e > b) bn_apply(P(1) + (long)b * C, e - b, C, P(4), I(5), P(6) + (long)b * C, I(7) ? P(7) + (long)b * C : 0);
      break;
    }
    case OP_BN_BACK: {
      int M = I(3), C = I(4);
      float *dy = P(1), *z = P(2), *coef = P(5), *dz = P(9), *dgamma = P(10), *dbeta = P(11), *means = P(13);
      double *partial = D(12);
      share(M, t, T, 1, &b, &e);
      bn_backward_sums(dy + (long)b * C, z + (long)b * C, e - b, C, coef, P(6), P(7), I(8), I(14) ? P(14) + (long)b * C : 0, dz + (long)b * C, partial + (long)t * C, partial + (long)(T + t) * C);
      barrier(T, can_wait);
      int cb, ce;
      share(C, t, T, 1, &cb, &ce);
      for (int c = cb; c < ce; c++) {
        double sg = 0, sgx = 0;
        for (int p = 0; p < T; p++) sg += partial[(long)p * C + c], sgx += partial[(long)(T + p) * C + c];
        dbeta[c] = (float)sg;
        dgamma[c] = (float)sgx;
        means[c] = (float)(sg / M);
        means[C + c] = (float)(sgx / M);
      }
      barrier(T, can_wait);
      if (e > b) bn_backward_apply(z + (long)b * C, e - b, C, coef, means, dz + (long)b * C);
      break;
    }
    case OP_ACT:
      share(I(3), t, T, 4, &b, &e);
      if (e > b) act_forward(P(1) + b, P(2) + b, e - b, I(4));
      break;
    case OP_ACT_BACK:
      share(I(4), t, T, 4, &b, &e);
      if (e > b) act_backward(P(1) + b, P(2) + b, P(3) + b, e - b, I(5));
      break;
    case OP_SIGMOID_BACK:
      share(I(4), t, T, 4, &b, &e);
      if (e > b) sigmoid_backward(P(1) + b, P(2) + b, P(3) + b, e - b);
      break;
    case OP_MEAN: {
      int S = I(4), C = I(5);
      share(I(3), t, T, 1, &b, &e);
      if (e > b) spatial_mean(P(1) + (long)b * S * C, P(2) + (long)b * C, e - b, S, C);
      break;
    }
    case OP_MEAN_BACK: {
      int S = I(4), C = I(5);
      share(I(3), t, T, 1, &b, &e);
      if (e > b) spatial_mean_backward(P(1) + (long)b * C, P(2) + (long)b * S * C, e - b, S, C);
      break;
    }
    case OP_GATE: {
      int S = I(5), C = I(6);
      share(I(4), t, T, 1, &b, &e);
      if (e > b) mul_channels(P(1) + (long)b * S * C, P(2) + (long)b * C, P(3) + (long)b * S * C, e - b, S, C);
      break;
    }
    case OP_GATE_BACK: {
      int S = I(7), C = I(8);
      share(I(6), t, T, 1, &b, &e);
      float *dx = I(4) ? P(4) + (long)b * S * C : 0;
      if (e > b) mul_channels_backward(P(1) + (long)b * S * C, P(2) + (long)b * S * C, P(3) + (long)b * C, dx, P(5) + (long)b * C, e - b, S, C);
      break;
    }
    case OP_MUL:
      share(I(4), t, T, 4, &b, &e);
      if (e > b) mul(P(1) + b, P(2) + b, P(3) + b, e - b);
      break;
    case OP_ADD:
      share(I(4), t, T, 4, &b, &e);
      if (e > b) add(P(1) + b, P(2) + b, P(3) + b, e - b);
      break;
    case OP_COPY:
      share(I(3), t, T, 4, &b, &e);
      if (e > b) __builtin_memcpy(P(2) + b, P(1) + b, (unsigned long)(e - b) * sizeof(float));
      break;
    case OP_SCALE_ROWS: {
      int n = I(5);
      share(I(4), t, T, 1, &b, &e);
      if (e > b) scale_rows(P(1) + (long)b * n, P(2) + b, P(3) + (long)b * n, e - b, n);
      break;
    }
    case OP_BIAS_ADD: {
      int C = I(4);
      share(I(3), t, T, 1, &b, &e);
      if (e > b) bias_add(P(1) + (long)b * C, P(2), e - b, C);
      break;
    }
    case OP_BIAS_GRAD: {
      int C = I(4);
      share(I(3), t, T, 1, &b, &e);
      column_sums(P(1) + (long)b * C, t == 0 ? P(2) : P(5) + (long)(t - 1) * C, e - b, C);
      barrier(T, can_wait);
      reduce_into(P(2), P(5), T - 1, C, t, T);
      break;
    }
    case OP_TRANSPOSE:
      if (t == 0) transpose(P(1), P(2), I(3), I(4));
      break;
    case OP_SOFTMAX_CE:
      if (t == 0) *P(6) = softmax_cross_entropy(P(1), P(2), P(3), I(4), I(5));
      break;
    case OP_CHECK:
      if (t == 0) {
        float *result = P(4), loss = *P(3), norm2 = gradient_norm2((const int *)P(1), I(2));
        result[0] = loss;
        result[1] = norm2;
        result[2] = step_is_finite(loss, norm2) ? 1.0f : 0.0f;
      }
      break;
    case OP_OPTIMIZE:
      if (P(5)[2] == 0.0f) break;
      share(I(3), t, T, 16, &b, &e);
      if (e > b) optimizer_update((const int *)P(1), I(2), b, e, (const OptimizerParams *)P(4));
      break;
    case OP_EMA:
      if (P(5)[2] == 0.0f) break;
      share(I(3), t, T, 16, &b, &e);
      if (e > b) ema_update((const int *)P(1), I(2), b, e, P(4)[0], P(4)[1]);
      break;
    case OP_STATISTICS:
      if (t == 0 && P(4)[2] != 0.0f) statistics_update((const int *)P(1), I(2), (const StatisticsParams *)P(3));
      break;
  }
}

static void run_commands(const int *cmds, int count, int t, int T, int can_wait) {
  for (int i = 0; i < count && !failed(); i++) {
    run_command(cmds + i * CMD_WORDS, t, T, can_wait);
    barrier(T, can_wait);
  }
}

/**
 * Runs `count` commands on `threads` threads: this one (thread 0) and threads - 1 workers parked
 * in worker_loop. `can_wait`: whether this thread may sleep (not a browser's main thread).
 * Returns 0, or 1 when a thread failed during the run (its results are then garbage).
 */
EXPORT(run_program) int run_program(const int *cmds, int count, int threads, int can_wait) {
#ifdef EFFNET_THREADS
  if (threads > 1) {
    ctl.cmds = cmds;
    ctl.count = count;
    ctl.threads = threads;
    __atomic_store_n(&ctl.done, 0, __ATOMIC_RELAXED);
    __atomic_add_fetch(&ctl.start, 1, __ATOMIC_ACQ_REL);
    __builtin_wasm_memory_atomic_notify(&ctl.start, (unsigned)threads);
  }
  run_commands(cmds, count, 0, threads, can_wait);
  if (threads > 1) {
    int d;
    while ((d = LOAD(&ctl.done)) != threads - 1 && !failed()) sleep_while(&ctl.done, d, can_wait);
  }
  return failed();
#else
  (void)can_wait;
  run_commands(cmds, count, 0, threads > 1 ? 1 : threads, 0);
  return 0;
#endif
}

#ifdef EFFNET_THREADS
/** A worker's life: wait for a run, take part as thread `tid`, report, until told to quit. */
EXPORT(worker_loop) void worker_loop(int tid) {
  int seen = 0;
  for (;;) {
    sleep_while(&ctl.start, seen, 1);
    if (failed()) return;
    seen = LOAD(&ctl.start);
    if (LOAD(&ctl.quit)) return;
    run_commands(ctl.cmds, ctl.count, tid, ctl.threads, 1);
    __atomic_add_fetch(&ctl.done, 1, __ATOMIC_ACQ_REL);
    __builtin_wasm_memory_atomic_notify(&ctl.done, 1);
  }
}
#endif
