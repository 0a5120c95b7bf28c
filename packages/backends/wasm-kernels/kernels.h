// The kernels program.c calls, each over a part of its op (rows, images or channels).
#ifndef EFFNET_KERNELS_H
#define EFFNET_KERNELS_H

#include "geometry.h"

void gemm(const float *A, const float *B, float *C, int M, int N, int K, int accumulate);
void gemm_tn(const float *A, const float *B, float *C, int M, int K, int N, int accumulate);
void transpose(const float *src, float *dst, int rows, int cols);
void conv_forward_rows(const float *x, const float *w, float *y, int N, const Geometry *g, float *cols, int chunk, int m_begin, int m_end);
void conv_backward_filter_rows(const float *x, const float *dy, float *dw, int N, const Geometry *g, float *cols, int chunk, int m_begin, int m_end);
void conv_backward_input_images(const float *dy, const float *wT, float *dx, int N, const Geometry *g, float *cols, int chunk, int b_begin, int b_end);
void depthwise_forward(const float *x, const float *w, float *y, int B, int H, int W, int C, int k, int s, int top, int left, int Ho, int Wo);
void depthwise_backward(const float *x, const float *w, const float *dy, float *dx, float *dw, int B, int H, int W, int C, int k, int s, int top, int left, int Ho, int Wo, int accumulate);
void bn_column_sums(const float *z, int rows, int C, double *out);
void bn_squared_deviations(const float *z, int rows, int C, const float *mean, double *out);
void bn_coefficients(const float *mean, const float *variance, const float *gamma, const float *beta, float eps, int C, float *coef);
void bn_apply(const float *z, int rows, int C, const float *coef, int act, float *y, float *dact);
void bn_backward_sums(const float *dy, const float *z, int rows, int C, const float *coef, const float *gamma, const float *beta, int act, const float *dact, float *dz, double *sum_g, double *sum_gx);
void bn_backward_apply(const float *z, int rows, int C, const float *coef, const float *means, float *dz);
void act_forward(const float *x, float *y, int n, int act);
void act_backward(const float *dy, const float *x, float *dx, int n, int act);
void sigmoid_backward(const float *dy, const float *y, float *dx, int n);
void spatial_mean(const float *x, float *y, int B, int S, int C);
void spatial_mean_backward(const float *dy, float *dx, int B, int S, int C);
void mul_channels(const float *x, const float *g, float *y, int B, int S, int C);
void mul_channels_backward(const float *dy, const float *x, const float *g, float *dx, float *dg, int B, int S, int C);
void mul(const float *a, const float *b, float *y, int n);
void add(const float *a, const float *b, float *y, int n);
void scale_rows(const float *x, const float *factor, float *y, int R, int n);
void bias_add(float *y, const float *bias, int M, int C);
void column_sums(const float *dy, float *db, int M, int C);
float softmax_cross_entropy(const float *logits, const float *labels, float *dlogits, int B, int N);

#endif
