#include "cmpi.h"

#include <immintrin.h>

MPI_Comm cmpi_comm_world(void) { return MPI_COMM_WORLD; }
MPI_Datatype cmpi_float(void) { return MPI_FLOAT; }
MPI_Datatype cmpi_double(void) { return MPI_DOUBLE; }
MPI_Datatype cmpi_int64(void) { return MPI_INT64_T; }
MPI_Datatype cmpi_byte(void) { return MPI_BYTE; }
MPI_Op cmpi_sum(void) { return MPI_SUM; }
MPI_Op cmpi_max(void) { return MPI_MAX; }
MPI_Op cmpi_min(void) { return MPI_MIN; }
MPI_Errhandler cmpi_errors_return(void) { return MPI_ERRORS_RETURN; }
void *cmpi_in_place(void) { return MPI_IN_PLACE; }
MPI_Status *cmpi_status_ignore(void) { return MPI_STATUS_IGNORE; }
MPI_Request cmpi_request_null(void) { return MPI_REQUEST_NULL; }

static MPI_Datatype half_type = MPI_DATATYPE_NULL;
static MPI_Op half_sum = MPI_OP_NULL;

MPI_Datatype cmpi_float16(void) {
  if (half_type == MPI_DATATYPE_NULL) {
    MPI_Type_contiguous(2, MPI_BYTE, &half_type);
    MPI_Type_commit(&half_type);
  }
  return half_type;
}

__attribute__((target("avx,f16c"))) static void half_sum_f16c(const _Float16 *a, _Float16 *b,
                                                              long n) {
  long i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 x = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(a + i)));
    __m256 y = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(b + i)));
    _mm_storeu_si128((__m128i *)(b + i),
                     _mm256_cvtps_ph(_mm256_add_ps(x, y), _MM_FROUND_TO_NEAREST_INT));
  }
  for (; i < n; i++) b[i] = (_Float16)((float)a[i] + (float)b[i]);
}

static int has_f16c(void) {
  static int known = -1;
  if (known < 0) known = __builtin_cpu_supports("avx") && __builtin_cpu_supports("f16c");
  return known;
}

static void half_sum_fn(void *in, void *inout, int *len, MPI_Datatype *type) {
  (void)type;
  const _Float16 *a = in;
  _Float16 *b = inout;
  if (has_f16c()) {
    half_sum_f16c(a, b, *len);
    return;
  }
  for (int i = 0; i < *len; i++) b[i] = (_Float16)((float)a[i] + (float)b[i]);
}

__attribute__((target("avx,f16c"))) static void to_half_f16c(const float *src, _Float16 *dst,
                                                             long n) {
  long i = 0;
  for (; i + 8 <= n; i += 8)
    _mm_storeu_si128((__m128i *)(dst + i),
                     _mm256_cvtps_ph(_mm256_loadu_ps(src + i), _MM_FROUND_TO_NEAREST_INT));
  for (; i < n; i++) dst[i] = (_Float16)src[i];
}

__attribute__((target("avx,f16c"))) static void to_float_f16c(const _Float16 *src, float *dst,
                                                              long n) {
  long i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(src + i))));
  for (; i < n; i++) dst[i] = (float)src[i];
}

void cmpi_float_to_half(const float *src, _Float16 *dst, long n) {
  if (has_f16c()) {
    to_half_f16c(src, dst, n);
    return;
  }
  for (long i = 0; i < n; i++) dst[i] = (_Float16)src[i];
}

void cmpi_half_to_float(const _Float16 *src, float *dst, long n) {
  if (has_f16c()) {
    to_float_f16c(src, dst, n);
    return;
  }
  for (long i = 0; i < n; i++) dst[i] = (float)src[i];
}

MPI_Op cmpi_float16_sum(void) {
  if (half_sum == MPI_OP_NULL) MPI_Op_create(half_sum_fn, 1, &half_sum);
  return half_sum;
}

_Noreturn void cmpi_abort(int code) {
  MPI_Abort(MPI_COMM_WORLD, code);
  _Exit(code);
}
