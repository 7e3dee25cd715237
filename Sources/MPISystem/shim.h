#define OMPI_SKIP_MPICXX 1
#include <mpi.h>
