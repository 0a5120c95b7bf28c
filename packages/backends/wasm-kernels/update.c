// The training step's update inside the engine: the gradient check, the optimizer (RMSProp as the
// official code defines it, SGD with momentum, AdamW), the EMA of the weights, the BatchNorm
// moving statistics and their EMA. Each walks a table of entries (one per weight or statistic)
// over a part of the elements, and does nothing when the step's check failed (a loss or gradient
// that is not finite leaves every value as it was). Same float32 operations, in the same order,
// as the TensorFlow graph of the resident step.
#include "update.h"

/** Whether x is neither infinite nor NaN (no libc here). */
static int finite(float x) { return x - x == 0.0f; }

float gradient_norm2(const int *table, int count) {
  double sum = 0;
  for (int i = 0; i < count; i++) {
    const UpdateEntry *u = (const UpdateEntry *)(table + i * ENTRY_WORDS);
    const float *g = (const float *)(long)u->grad;
    for (int j = 0; j < u->n; j++) sum += (double)g[j] * g[j];
  }
  return (float)sum;
}

int step_is_finite(float loss, float norm2) { return finite(loss) && finite(norm2); }

// Calls fn(entry, first, last) for the elements [begin, end) of the concatenated entries.
#define FOR_PART(table, count, begin, end, body)                                   \
  do {                                                                             \
    int at_ = 0;                                                                   \
    for (int i_ = 0; i_ < (count) && at_ < (end); i_++) {                          \
      const UpdateEntry *u = (const UpdateEntry *)((table) + i_ * ENTRY_WORDS);    \
      int lo = (begin) > at_ ? (begin) - at_ : 0;                                  \
      int hi = (end) - at_ < u->n ? (end) - at_ : u->n;                            \
      if (hi > lo) body;                                                           \
      at_ += u->n;                                                                 \
    }                                                                              \
  } while (0)

void optimizer_update(const int *table, int count, int begin, int end, const OptimizerParams *p) {
  FOR_PART(table, count, begin, end, {
    float *w = (float *)(long)u->weight;
    const float *g = (const float *)(long)u->grad;
    float *a = (float *)(long)u->slot_a;
    float *b = (float *)(long)u->slot_b;
    for (int j = lo; j < hi; j++) {
      float gj = g[j];
      if (p->type != OPT_ADAMW && p->weight_decay > 0 && u->decays) gj = gj + w[j] * p->weight_decay;
      if (p->type == OPT_RMSPROP) {
        float ms = a[j] * p->p1 + (gj * gj) * p->p1_rest;
        float mom = b[j] * p->p2 + (gj / __builtin_sqrtf(ms + p->p3)) * p->lr;
        a[j] = ms;
        b[j] = mom;
        w[j] = w[j] - mom;
      } else if (p->type == OPT_SGD) {
        float v = a[j] * p->p1 + gj;
        float direction = p->p2 != 0 ? gj + v * p->p1 : v;
        a[j] = v;
        w[j] = w[j] - direction * p->lr;
      } else {
        float m = a[j] * p->p1 + gj * p->p1_rest;
        float v = b[j] * p->p2 + (gj * gj) * p->p2_rest;
        float moved = w[j] - (m / (__builtin_sqrtf(v) + p->p3)) * p->step_size;
        if (p->weight_decay > 0) moved = moved - w[j] * (u->decays ? p->decay_rate : 0.0f);
        a[j] = m;
        b[j] = v;
        w[j] = moved;
      }
    }
  });
}

void ema_update(const int *table, int count, int begin, int end, float decay, float rest) {
  FOR_PART(table, count, begin, end, {
    const float *w = (const float *)(long)u->weight;
    float *e = (float *)(long)u->ema;
    for (int j = lo; j < hi; j++) e[j] = e[j] * decay + w[j] * rest;
  });
}

void statistics_update(const int *table, int count, const StatisticsParams *p) {
  for (int i = 0; i < count; i++) {
    const UpdateEntry *u = (const UpdateEntry *)(table + i * ENTRY_WORDS);
    float *moving = (float *)(long)u->weight;
    const float *batch = (const float *)(long)u->grad;
    float *e = (float *)(long)u->ema;
    for (int j = 0; j < u->n; j++) {
      if (p->update && batch) moving[j] = moving[j] * p->momentum + (batch[j] * u->correction) * p->momentum_rest;
      if (p->ema) e[j] = e[j] * p->decay + moving[j] * p->rest;
    }
  }
}
