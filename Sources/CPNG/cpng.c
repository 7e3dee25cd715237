#include "cpng.h"

#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  jmp_buf jump;
  char *message;
  size_t capacity;
} failure;

typedef struct {
  const uint8_t *data;
  size_t size;
  size_t offset;
} source;

static void on_error(png_structp png, png_const_charp text) {
  failure *f = png_get_error_ptr(png);
  snprintf(f->message, f->capacity, "%s", text);
  longjmp(f->jump, 1);
}

static void on_warning(png_structp png, png_const_charp text) {
  (void)png;
  (void)text;
}

static void on_read(png_structp png, png_bytep out, size_t count) {
  source *s = png_get_io_ptr(png);
  if (count > s->size - s->offset) png_error(png, "file is truncated");
  memcpy(out, s->data + s->offset, count);
  s->offset += count;
}

int cpng_decode(
    const uint8_t *data, size_t size, uint32_t max_side, cpng_image *image, char *message,
    size_t capacity) {
  memset(image, 0, sizeof *image);
  if (size < 8 || png_sig_cmp(data, 0, 8) != 0) {
    snprintf(message, capacity, "not a PNG file (bad signature)");
    return -1;
  }
  failure f = {.message = message, .capacity = capacity};
  source s = {.data = data, .size = size, .offset = 0};
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &f, on_error, on_warning);
  png_infop info = png ? png_create_info_struct(png) : NULL;
  if (info == NULL) {
    png_destroy_read_struct(&png, NULL, NULL);
    snprintf(message, capacity, "out of memory");
    return -1;
  }
  uint8_t *volatile samples = NULL;
  png_bytep *volatile rows = NULL;
  if (setjmp(f.jump)) {
    free(samples);
    free(rows);
    png_destroy_read_struct(&png, &info, NULL);
    return -1;
  }
  png_set_read_fn(png, &s, on_read);
  png_set_user_limits(png, max_side, max_side);
  png_read_info(png, info);
  png_set_expand(png);
  png_set_strip_16(png);
  png_set_strip_alpha(png);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  uint32_t width = png_get_image_width(png, info);
  uint32_t height = png_get_image_height(png, info);
  uint32_t channels = png_get_channels(png, info);
  size_t stride = png_get_rowbytes(png, info);
  if (stride != (size_t)width * channels || (channels != 1 && channels != 3)) {
    png_error(png, "unexpected sample layout after conversion to 8-bit grey or RGB");
  }
  samples = malloc(stride * height);
  rows = malloc(sizeof(png_bytep) * height);
  if (samples == NULL || rows == NULL) png_error(png, "out of memory");
  for (uint32_t row = 0; row < height; row++) rows[row] = samples + stride * row;
  png_read_image(png, rows);
  png_read_end(png, NULL);
  free(rows);
  png_destroy_read_struct(&png, &info, NULL);
  image->width = width;
  image->height = height;
  image->channels = channels;
  image->samples = samples;
  return 0;
}

void cpng_free(cpng_image *image) {
  free(image->samples);
  image->samples = NULL;
}
