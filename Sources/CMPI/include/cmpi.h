#ifndef SEQBOAT_CMPI_H
#define SEQBOAT_CMPI_H
#define OMPI_SKIP_MPICXX 1
#include <mpi.h>

/* Open MPI's predefined handles are casts of addresses of globals, which Swift cannot import.
   These getters return them; nothing else lives here. */
MPI_Comm cmpi_comm_world(void);
MPI_Datatype cmpi_float(void);
MPI_Datatype cmpi_double(void);
MPI_Datatype cmpi_int64(void);
MPI_Datatype cmpi_byte(void);
MPI_Op cmpi_sum(void);
MPI_Op cmpi_max(void);
MPI_Op cmpi_min(void);
MPI_Errhandler cmpi_errors_return(void);
void *cmpi_in_place(void);
MPI_Status *cmpi_status_ignore(void);
MPI_Request cmpi_request_null(void);

/* A 2-byte datatype and a sum operation over IEEE half floats (Open MPI 4.1 has no MPI_FLOAT16). */
MPI_Datatype cmpi_float16(void);
MPI_Op cmpi_float16_sum(void);

/* Float <-> IEEE half conversion of n values (round to nearest even, overflow to infinity), with the
   CPU's F16C instructions where it has them: Swift's scalar Float16(Float) is a library call per
   value on x86-64, far too slow for gradient buffers. Results equal Swift's conversions. */
void cmpi_float_to_half(const float *src, _Float16 *dst, long n);
void cmpi_half_to_float(const _Float16 *src, float *dst, long n);

/* MPI_Abort on MPI_COMM_WORLD with `code`. MPI_Abort is not declared as ending the process, though
   Open MPI's never returns; this wrapper says so to Swift and ends the process itself should it
   ever return. */
_Noreturn void cmpi_abort(int code);

#endif
