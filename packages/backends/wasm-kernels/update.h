// The step's update kernels (update.c) and the tables and parameters program.c hands them.
#ifndef EFFNET_UPDATE_H
#define EFFNET_UPDATE_H

/** Words per table entry. */
#define ENTRY_WORDS 8

/**
 * One weight (or one BatchNorm statistic) of the update: byte offsets of its values, its gradient
 * (for a statistic: the batch's values, or 0 when the pass has none), the optimizer's two slots
 * and its EMA; its length; whether weight decay applies; for a statistic, the factor on the batch
 * values (n / (n - 1) for a variance).
 */
typedef struct {
  int weight, grad, n, slot_a, slot_b, ema, decays;
  float correction;
} UpdateEntry;

enum { OPT_RMSPROP = 1, OPT_SGD = 2, OPT_ADAMW = 3 };

/**
 * The optimizer's settings for one step. RMSProp: p1 rho, p1_rest 1 - rho, p2 momentum, p3
 * epsilon. SGD: p1 momentum, p2 nesterov (0 or 1). AdamW: p1 beta1, p1_rest 1 - beta1, p2 beta2,
 * p2_rest 1 - beta2, p3 epsilon, step_size (the bias-corrected rate), decay_rate (lr x decay).
 */
typedef struct {
  int type;
  float lr, p1, p1_rest, p2, p2_rest, p3, weight_decay, step_size, decay_rate;
} OptimizerParams;

/** The moving statistics' momentum (and 1 - it), whether they move this step, and their EMA. */
typedef struct {
  float momentum, momentum_rest;
  int update, ema;
  float decay, rest;
} StatisticsParams;

float gradient_norm2(const int *table, int count);
int step_is_finite(float loss, float norm2);
void optimizer_update(const int *table, int count, int begin, int end, const OptimizerParams *p);
void ema_update(const int *table, int count, int begin, int end, float decay, float rest);
void statistics_update(const int *table, int count, const StatisticsParams *p);

#endif
