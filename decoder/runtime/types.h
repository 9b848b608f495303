/* SPDX-License-Identifier: MIT */
/* decoder/runtime: managed types by MethodTable: C#-form names, module metadata. */
#ifndef CLRFS_TYPES_H
#define CLRFS_TYPES_H

#include <stdbool.h>
#include <stdint.h>

struct rt;
struct meta;

/* The C#-form name of the type handle th (a MethodTable, or a TypeDesc with
 * bit 1 set): "System.Collections.Generic.Dictionary<System.String,System.Int32>",
 * nested "Outer+Inner", arrays "System.Int32[]", "System.String[,]", shared
 * instantiations with "System.__Canon", the free-object MethodTable "Free".
 * Named once and kept: *name is borrowed until rt_close(). -EIO when the
 * type's data or its module's metadata is missing from the dump, -EBADMSG
 * when it fails its checks, -ENOTSUP for kinds not named (generic variables,
 * function pointers, modules without a loaded image). */
int rt_type_name(struct rt *rt, uint64_t th, const char **name);

/* The metadata of the Module at module (MethodTable.Module), read from the
 * dump once and kept: *m is borrowed until rt_close(). Only the PE headers,
 * the CLI header and the metadata of the image are read. Errors as
 * rt_type_name(). */
int rt_module_meta(struct rt *rt, uint64_t module, const struct meta **m);

/* The image of the Module at module as the runtime laid it out
 * (PEAssembly -> PEImage -> its loaded PEImageLayout): its base address,
 * size and whether it is mapped as the loader maps sections (else a flat
 * copy of the file). -ENOTSUP for a module without one (dynamic). */
int rt_module_image(struct rt *rt, uint64_t module, uint64_t *base, uint32_t *size, bool *mapped);

/* The type arguments of the MethodTable mt (a generic instantiation, or its
 * open form, whose arguments are generic-variable TypeDescs): up to max type
 * handles into args, their number into *count (0 when mt is not generic).
 * -ERANGE when there are more than max; errors as rt_type_name(). */
int rt_type_args(struct rt *rt, uint64_t mt, uint64_t *args, uint32_t max, uint32_t *count);

#endif
