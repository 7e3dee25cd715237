#ifndef SEQBOAT_CHDF5_H
#define SEQBOAT_CHDF5_H
#include <hdf5.h>

/* HDF5's type and property-list identifiers are macros that call H5open(); Swift cannot import
   them. These getters return them; nothing else lives here. */
hid_t chdf5_native_float(void);
hid_t chdf5_native_double(void);
hid_t chdf5_native_int8(void);
hid_t chdf5_native_uint8(void);
hid_t chdf5_native_int16(void);
hid_t chdf5_native_uint16(void);
hid_t chdf5_native_int32(void);
hid_t chdf5_native_int64(void);
hid_t chdf5_c_s1(void);
hid_t chdf5_p_file_access(void);
hid_t chdf5_p_dataset_create(void);
hid_t chdf5_p_link_create(void);
unsigned chdf5_acc_rdonly(void);
unsigned chdf5_acc_rdwr(void);
unsigned chdf5_acc_trunc(void);
unsigned chdf5_acc_excl(void);

#endif
