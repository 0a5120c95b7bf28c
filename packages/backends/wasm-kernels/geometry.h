// Geometry of a k x k convolution over NHWC, as the engine passes it: batch, input height, width
// and channels, kernel size, stride, the 'same' padding before the first row and column, and the
// output height and width.
#ifndef EFFNET_GEOMETRY_H
#define EFFNET_GEOMETRY_H

typedef struct {
  int B, H, W, C, k, s, top, left, Ho, Wo;
} Geometry;

#endif
