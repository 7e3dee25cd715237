#ifndef SEQBOAT_CPNG_H
#define SEQBOAT_CPNG_H
#include <stddef.h>
#include <stdint.h>

/* libpng reports errors by longjmp out of its error callback, which Swift cannot catch; this shim
   holds the setjmp and turns every error into a return value and a message. Nothing else lives
   here. */

/* A decoded image: 8-bit samples, `channels` 1 (grey) or 3 (RGB) per pixel, rows packed. */
typedef struct {
  uint32_t width;
  uint32_t height;
  uint32_t channels;
  uint8_t *samples; /* malloc'd; release with cpng_free */
} cpng_image;

/* Decodes the PNG file `data` of `size` bytes: palette images expanded to RGB, grey below 8 bits
   expanded to 8, 16-bit samples reduced to their high byte, alpha and transparency dropped,
   interlacing undone. Width and height above `max_side` are refused. Returns 0, or -1 with a
   one-line reason in `message` (NUL-terminated, at most `capacity` bytes). */
int cpng_decode(
    const uint8_t *data, size_t size, uint32_t max_side, cpng_image *image, char *message,
    size_t capacity);

/* Releases the samples of a decoded image. */
void cpng_free(cpng_image *image);

#endif
