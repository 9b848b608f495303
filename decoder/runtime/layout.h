/* SPDX-License-Identifier: MIT */
/* decoder/runtime: every native layout of the runtime in a dump, resolved once
 * at rt_open() (layout.c) and read-only afterwards: offsets, sizes, flags and
 * the addresses of the runtime variables the decoder starts from.
 *
 * Sources, in order (docs/design.md "The layout layer", docs/layouts.md):
 * the runtime's contract descriptor, where it has the field (names that moved
 * between versions are mapped, e.g. Thread.GCHandle -> ExposedObject); the
 * GC's GcDacVars for the GC; otherwise the table of the runtime line
 * (layout_lines.c), whose every row cites its source. Each group is then
 * checked on the dump against invariants (a MethodTable's EEClass points
 * back, a count agrees with metadata); a group that lacks a source or fails a
 * check has err set, says why in /info, and every reader of it returns err.
 * No file above this one holds an offset or flag of a native structure. */
#ifndef CLRFS_LAYOUT_H
#define CLRFS_LAYOUT_H

#include <stdbool.h>
#include <stdint.h>

struct rt;

#define RT_PTR_SIZE 8 /* 64-bit targets only (x86_64, aarch64) */

/* ObjHeader (the sync block index and its padding) before the MethodTable
 * pointer, counted in BaseSize (src/coreclr/vm/syncblk.h OBJHEADER_SIZE;
 * the ObjectHeaderSize global of the 9 and 10 descriptors). The GC's
 * smallest object: header, MethodTable and one pointer
 * (src/coreclr/gc/gc.h min_obj_size). Both hold on 8.0 to 11.0. */
#define RT_OBJ_HEADER_SIZE RT_PTR_SIZE
#define RT_MIN_OBJ_SIZE	   (3 * RT_PTR_SIZE)

/* MethodTable m_dwFlags (src/coreclr/vm/methodtable.h WFLAGS_HIGH_ENUM and
 * WFLAGS_LOW_ENUM; docs/design/datacontracts/RuntimeTypeSystem.md): the same
 * bits on 8.0 to 11.0 (checked on each line's dumps: docs/layouts.md). With
 * HasComponentSize the low 16 bits are the component size. */
#define RT_MTF_HAS_COMPONENT_SIZE  0x80000000u
#define RT_MTF_COMPONENT_SIZE_MASK 0x0000ffffu
#define RT_MTF_CATEGORY_MASK	   0x000f0000u
#define RT_MTF_ARRAY_MASK	   0x000c0000u
#define RT_MTF_ARRAY		   0x00080000u
#define RT_MTF_IF_ARRAY_THEN_SZ	   0x00020000u
#define RT_MTF_VALUETYPE_MASK	   0x000c0000u
#define RT_MTF_VALUETYPE	   0x00040000u /* ValueType, Nullable, primitives */
#define RT_MTF_NULLABLE		   0x00050000u
#define RT_MTF_TRUE_PRIMITIVE	   0x00070000u
#define RT_MTF_GENERICS_MASK	   0x00000030u
#define RT_MTF_GENERICS_TYPICAL	   0x00000030u /* List<T> itself */
#define RT_MTF_CONTAINS_POINTERS   0x01000000u /* a GCDesc precedes the MethodTable */
/* EEClassOrCanonMT: low bit set = a canonical MethodTable, else the EEClass
 * (RuntimeTypeSystem.md; methodtable.h UNION_METHODTABLE). */
#define RT_CANON_MT_BIT 0x1ull
/* A TypeHandle with bit 1 set is a TypeDesc, not a MethodTable. */
#define RT_TH_TYPEDESC 0x2ull

/* The layout groups: each is usable or not as a whole. */
enum rt_lay_group {
	RT_LG_OBJ,	 /* object header, strings, arrays */
	RT_LG_MT,	 /* MethodTable and EEClass: sizes and names of types */
	RT_LG_MODULE,	 /* Module, its lookup maps and image */
	RT_LG_FIELDS,	 /* FieldDesc, EEClass field counts */
	RT_LG_THREAD,	 /* Thread, ThreadStore */
	RT_LG_ALLOC,	 /* each thread's allocation context */
	RT_LG_STATICS,	 /* statics bases */
	RT_LG_METHOD,	 /* MethodDesc -> name */
	RT_LG_PRECODE,	 /* precode stubs -> MethodDesc */
	RT_LG_CODEMAP,	 /* jitted code -> MethodDesc */
	RT_LG_GC,	 /* GC heaps, generations, segments */
	RT_LG_HANDLES,	 /* the GC handle table */
	RT_LG_FINALIZER, /* the finalization queues */
	RT_LG_STACK,	 /* stack walks: Frames, unwind info, ReadyToRun code */
	RT_LG_SYNC,	 /* object headers' locks, the sync block table */
	RT_LG_ASSEMBLIES, /* the AppDomain's loaded assemblies and their binders */
	RT_LG_COUNT
};

struct rt_lay_obj {
	uint64_t mt_unmask;	     /* low bits of an object's MT pointer that are GC flags */
	uint64_t str_len, str_first; /* String.m_StringLength, m_FirstChar */
	uint64_t arr_hdr, arr_ncomp; /* sizeof(ArrayBase), Array.m_NumComponents */
};

struct rt_lay_mt {
	uint64_t size; /* sizeof(MethodTable) */
	uint64_t flags, base_size, flags2, parent, module, canon, per_inst;
	/* The TypeDef RID: (u32 at token >> token_shift) & token_mask; 9.0+
	 * keep it in MTFlags2 above its low byte, 8.0 in the u16 m_wToken,
	 * where token_overflow says it lies elsewhere (methodtable.h). */
	uint64_t token;
	unsigned token_shift;
	uint32_t token_mask, token_overflow;
	uint64_t ee_mt;	  /* EEClass.MethodTable: the back pointer */
	uint64_t ee_norm; /* EEClass.InternalCorElementType (u8) */
	/* An array's rank: ArrayClass.Rank (u8) in the EEClass, or, where
	 * there is no ArrayClass (11.0), from BaseSize (rank_from_size). */
	uint64_t rank;
	bool rank_from_size;
	uint64_t gdi_ndicts, gdi_nargs; /* GenericsDictInfo, just before PerInstInfo */
	uint64_t td_flags, td_arg;	/* TypeDesc.TypeAndFlags, ParamTypeDesc.TypeArg */
};

/* EETypeHashTable (Loader.md "DacEnumerableHash"): bucket 0 holds the
 * bucket count, chains start at bucket 3, a set low bit ends a chain, and
 * an entry's value carries a flag in its low bit. */
#define RT_ETH_FIRST_BUCKET 3
#define RT_ETH_FLAG_MASK    0x1ull

/* The TypeDef RID of a MethodTable from the u32 at its token offset; 0 when
 * the MethodTable keeps it elsewhere (8.0's token overflow, not read). */
static inline uint32_t rt_lay_rid(const struct rt_lay_mt *l, uint32_t v)
{
	uint32_t rid = (v >> l->token_shift) & l->token_mask;
	return l->token_overflow && rid == l->token_overflow ? 0 : rid;
}

struct rt_lay_module {
	uint64_t pea, typedefs, typerefs, params; /* Module fields */
	uint64_t map_next, map_data, map_count, map_mask; /* ModuleLookupMap */
	uint64_t eth_buckets, eth_count, eth_value, eth_next; /* EETypeHashTable */
	uint64_t pea_image, image_layout;		      /* PEAssembly, PEImage */
	uint64_t layout_base, layout_size, layout_flags;      /* PEImageLayout */
};

/* FieldDesc (src/coreclr/vm/field.h): the enclosing MethodTable, then
 * dword1 {m_mb:24 (the RID), static, thread-local, RVA, prot:3} and dword2
 * {offset:27, type:5}; the same bits on 8.0 to 11.0 (the packed RID with a
 * name hash of field.h before 8.0 is gone: 8.0-era field.h, and the cDAC's
 * RuntimeTypeSystem.md masks 24 bits). */
#define RT_FD_MB_MASK	       0x00ffffffu
#define RT_FD_STATIC	       (1u << 24)
#define RT_FD_THREAD_LOCAL     (1u << 25)
#define RT_FD_RVA	       (1u << 26)
#define RT_FD_OFFSET_MASK      0x07ffffffu
#define RT_FD_TYPE_SHIFT       27
#define RT_FD_OFFSET_MAX       ((1u << 27) - 1)

struct rt_lay_fields {
	uint64_t ee_fdlist, ee_padding; /* EEClass */
	/* The field counts: u16 at fixed offsets (9.0+), or (8.0) u32 entries
	 * ninst/nstatic/nthread of the EEClassPackedFields that lie at the
	 * EEClass plus the byte at ee_fixed_size, unpacked when the byte at
	 * ee_packed is 0 (class.h EEClassFieldId). */
	bool counts_packed;
	uint64_t ee_ninst, ee_nstatic, ee_nthread;
	uint64_t ee_fixed_size, ee_packed;
	uint64_t fd_size, fd_mt, fd_dw1, fd_dw2; /* FieldDesc */
};

struct rt_lay_thread {
	uint64_t id, os_id, state, preemptive, exposed, last_thrown, link;
	/* The thread list links the next Thread itself (11.0, the Thread
	 * contract "c1"), or the SLink at Thread + link (8.0 to 10.0). */
	bool link_is_thread;
	uint64_t first_link;   /* ThreadStore: the head of the thread list */
	uint64_t counts[5];    /* ThreadStore: thread, unstarted, background, pending, dead */
};

/* The allocation context of a thread: at Thread + rtl when !rtl_indirect,
 * else at *(Thread + rtl) + ctx; alloc_ptr and alloc_limit within it. */
struct rt_lay_alloc {
	bool rtl_indirect;
	uint64_t rtl, ctx, ptr, limit;
};

/* Statics. 9.0+ (methodtable.h DynamicStaticsInfo): just before the
 * MethodTableAuxiliaryData when MTFlags2 has dynamic_flag, the GC and
 * non-GC bases. 8.0 (appdomain.hpp DomainLocalModule): per module, reached
 * through Module.m_ModuleID; a generic instantiation's statics live in the
 * DynamicClassInfo entry its GenericsStaticsInfo names (dlm below). */
struct rt_lay_statics {
	bool dlm; /* the 8.0 DomainLocalModule form */
	uint64_t mt_aux, dsi_size, dsi_gc, dsi_nongc, mask;
	uint32_t dynamic_flag;
	uint64_t mod_dlm;			     /* Module.m_ModuleID */
	uint64_t dlm_table, dlm_entries, dlm_gc;     /* DomainLocalModule fields */
	uint64_t dci_size, dci_flags;		     /* DynamicClassInfo */
	uint64_t gsi_id;			     /* GenericsStaticsInfo.m_DynamicTypeID */
	uint64_t mt_num_virtuals, mt_interface_map; /* MethodTable, for the optional members */
	/* Thread statics (9.0+, threadstatics.h): a type's ThreadStaticsInfo
	 * just before its MethodTableAuxiliaryData holds its TLSIndex for each
	 * kind; a thread's ThreadLocalData holds the storage. thread_statics
	 * false when the runtime's layout is unknown (8.0). */
	bool thread_statics;
	uint64_t tsi_size, tsi_nongc, tsi_gc;		   /* ThreadStaticsInfo */
	uint64_t th_tld;				   /* Thread.ThreadLocalDataPtr */
	uint64_t tld_nc_count, tld_nc_array, tld_c_count, tld_c_array; /* ThreadLocalData */
	uint64_t ptr_array_data, tls_unused; /* object[] data offset; unused indexes */
};

struct rt_lay_method {
	uint64_t md_index, md_flags3;		     /* MethodDesc */
	/* MethodDesc.Flags (u16) and DynamicMethodDesc.MethodName, where the
	 * runtime describes them (9.0+); 0: dynamic methods go unnamed. */
	uint64_t md_flags, dyn_name;
	/* InstantiatedMethodDesc (a generic method's instantiation): its
	 * dictionary, whose first NumGenericArgs entries are the type
	 * arguments; 0 where not described (the arguments go unnamed). */
	uint64_t imd_dict, imd_nargs;
	uint64_t chunk_mt, chunk_range, chunk_size; /* MethodDescChunk */
	uint64_t align, token_bits;
};

/* Precode stubs (src/coreclr/vm/precode.h; PrecodeStubs.md): a FixupPrecode
 * or StubPrecode is code matching a template (bytes where the ignore mask is
 * 0), its data one page further. From the runtime's PrecodeMachineDescriptor
 * where it publishes one (10.0+), else the line's template. */
#define RT_PRECODE_BYTES_MAX 24
struct rt_lay_precode {
	uint32_t page; /* StubCodePageSize */
	uint8_t fixup_len, stub_len;
	uint8_t stub_type; /* StubPrecodeData.Type of a method's StubPrecode */
	uint8_t fixup[RT_PRECODE_BYTES_MAX], fixup_ign[RT_PRECODE_BYTES_MAX];
	uint8_t stub[RT_PRECODE_BYTES_MAX], stub_ign[RT_PRECODE_BYTES_MAX];
	uint64_t fixup_md, stub_secret, stub_type_data; /* offsets in the data */
};

struct rt_lay_codemap {
	uint64_t map; /* the RangeSectionMap */
	/* The code heap's nibble map: 8.0 and 9.0 write the linear format
	 * (ExecutionManager.md NibbleMapLinearLookup), 10.0 and 11.0 the
	 * constant-lookup one (NibbleMapConstantLookup). */
	bool nibble_linear;
	uint64_t top, frag_begin, frag_end, frag_section, frag_next;
	uint64_t rs_r2r, rs_heap, heap_base, heap_map, header_md;
	uint64_t stub_last; /* a code header at most this is a stub block */
};

/* The GC: where its data lies, from GcDacVars (gc.c reads it) or the GC's
 * own descriptor. Addresses of GC variables, and offsets in its structures. */
struct rt_lay_gc {
	uint8_t major, minor;		    /* GcDacVars interface version */
	uint64_t gen_size, total_gens;	    /* sizeof(generation), generations */
	int64_t gen_ctx, gen_start_seg, gen_alloc_start; /* -1: absent */
	uint64_t max_gen;		    /* address of max_gen (u32) */
	uint64_t invalid_cnt;		    /* address of gc_structures_invalid_cnt */
	uint64_t handle_table_map;	    /* the first HandleTableMap node */
	/* Workstation: the heap's variables. */
	uint64_t generation_table, ephemeral_seg, alloc_allocated, finalize_queue;
	/* Server (n_heaps != 0): the heaps, and offsets in a gc_heap. */
	uint64_t n_heaps, g_heaps;
	int64_t heap_alloc_allocated, heap_ephemeral_seg, heap_finalize_queue, heap_gen_table;
	/* dac_heap_segment */
	uint64_t seg_allocated, seg_committed, seg_reserved, seg_mem, seg_flags, seg_next;
	/* gc_alloc_context */
	uint64_t ctx_ptr, ctx_limit;
};

#define RT_HANDLE_TYPES_MAX 32
/* The handle table (src/coreclr/gc/handletablepriv.h, objecthandle.h). */
struct rt_lay_handles {
	unsigned ntypes; /* HANDLE_MAX_INTERNAL_TYPES; the last marks user-data blocks */
	uint32_t type_flags[RT_HANDLE_TYPES_MAX]; /* objecthandle.cpp s_rgTypeFlags */
	uint64_t map_buckets, map_next, map_max_index, map_nbuckets;
	uint64_t bucket_tables, bucket_index;
	uint64_t table_segs; /* HandleTable.pSegmentList */
	uint64_t seg_size, seg_header, per_block, blocks;
	/* TableSegment header (packed) */
	uint64_t seg_free_mask, seg_block_type, seg_user_data, seg_next, seg_table,
		seg_empty_line, seg_commit_line, seg_hdr_len;
};

/* Fills the TableSegment header offsets of h from its ntypes, blocks,
 * per_block and seg_size (handletablepriv.h _TableSegmentHeader). */
void rt_lay_handles_derive(struct rt_lay_handles *h);

struct rt_lay_finalizer {
	unsigned nfill;	   /* m_FillPointers entries: generations + ExtraSegCount */
	uint64_t fill;	   /* CFinalize.m_FillPointers */
	uint64_t array;	   /* CFinalize.m_Array; m_EndArray follows it */
};

/* The kinds of explicit Frame (src/coreclr/vm/frames.h FRAME_TYPE_NAME), as
 * the descriptor's "<Kind>Identifier" globals number them (10.0+: the
 * identifier is the Frame's first word; 8.0 and 9.0 Frames have vtables). */
enum rt_frame_kind {
	RT_FK_INLINED_CALL,
	RT_FK_RESUMABLE,
	RT_FK_REDIRECTED_THREAD,
	RT_FK_FAULTING_EXCEPTION,
	RT_FK_SOFTWARE_EXCEPTION,
	RT_FK_FUNC_EVAL,
	RT_FK_PINVOKE_CALLI,
	RT_FK_HIJACK,
	RT_FK_PRESTUB_METHOD,
	RT_FK_CALL_COUNTING_HELPER,
	RT_FK_STUB_DISPATCH,
	RT_FK_EXTERNAL_METHOD,
	RT_FK_DYNAMIC_HELPER,
	RT_FK_PROTECT_VALUE_CLASS,
	RT_FK_DEBUGGER_CLASS_INIT_MARK,
	RT_FK_DEBUGGER_EXIT,
	RT_FK_DEBUGGER_U2M_CATCH_HANDLER,
	RT_FK_EXCEPTION_FILTER,
	RT_FK_HELPER_METHOD, /* 8.0 and 9.0 only */
	RT_FK_HELPER_METHOD_1OBJ,
	RT_FK_COUNT
};
/* "InlinedCallFrame", ... (layout.c) */
extern const char *const rt_frame_kind_names[RT_FK_COUNT];

/* Stack walks (StackWalk.md, ExecutionManager.md): the thread's Frame chain,
 * the Frames that give a caller's context, the unwind info of jitted code
 * (RealCodeHeader) and ReadyToRun code (ReadyToRunInfo), and the hash map
 * from a ReadyToRun entry point to its MethodDesc (hash.h HashMap). */
struct rt_lay_stack {
	uint64_t thread_frame, frame_next;
	uint64_t frame_id[RT_FK_COUNT]; /* 0: not in this runtime */
	uint64_t icf_sp, icf_ret, icf_fp;     /* InlinedCallFrame */
	/* FramedMethodFrame.TransitionBlockPtr, TransitionBlock: 0 where the
	 * line does not describe them (8.0, 9.0: their Frames give no context
	 * then; the native unwind passes them). */
	uint64_t fmf_tb;
	uint64_t tb_size, tb_ret, tb_regs;
	/* The registers a TransitionBlock saves: register number (as struct
	 * rt_regs numbers them) and offset in CalleeSavedRegisters, by name
	 * where the descriptor describes the type (11.0), else as cgencpu.h
	 * lays it out for the architecture. */
	unsigned nsaved;
	uint8_t saved_reg[16];
	uint64_t saved_off[16];
	bool arm64;				/* unwind codes and CONTEXT of arm64 */
	/* The CONTEXT a Frame may hold: its integer registers (in struct
	 * rt_regs's numbering, ctx_nregs from ctx_regs) and its IP. */
	uint64_t ctx_regs, ctx_ip;
	unsigned ctx_nregs;
	uint64_t sef_ctx, fef_ctx, rsf_ctx_ptr; /* exception and resumable Frames; 0 as above */
	uint64_t rch_nunwind, rch_unwind;     /* RealCodeHeader */
	uint64_t rtf_size, rtf_begin, rtf_end, rtf_unwind; /* RuntimeFunction */
	bool rtf_has_end;			/* arm64's has no EndAddress */
	uint64_t rs_begin;		      /* RangeSection.RangeBegin */
	uint64_t mod_r2r;		      /* Module.ReadyToRunInfo */
	uint64_t r2r_composite, r2r_rtf, r2r_nrtf, r2r_hotcold, r2r_nhotcold, r2r_delay, r2r_map;
	uint64_t map_buckets, bucket_size, bucket_keys, bucket_values, bucket_slots, value_mask;
	/* An exception's recorded stack trace (stackwalk.h StackTraceInfo:
	 * the header's element count, then the elements). */
	uint64_t sth_size, sth_count, ste_size, ste_ip, ste_md;
};

/* Monitors (src/coreclr/vm/syncblk.h; docs/design/datacontracts/SyncBlock.md):
 * the sync block value in each object's header holds a thin lock (owner's
 * managed thread id and recursion) or the index of a SyncTableEntry, whose
 * SyncBlock holds the inflated lock: an AwareLock at its start on 8.0 to
 * 10.0, a handle to a System.Threading.Lock (or, until one is made, the
 * thin lock's bits) from 11.0. */
struct rt_lay_sync {
	uint64_t sync_table;		       /* g_pSyncTable's address */
	uint64_t hdr_value;		       /* sync block value: object - hdr_value */
	uint32_t is_index, is_hash, index_mask; /* header bits */
	uint32_t tid_mask, rec_mask, rec_shift; /* thin lock bits */
	uint64_t ste_size, ste_sb, ste_obj;	       /* SyncTableEntry */
	bool managed_lock;		       /* 11.0+: SyncBlock.Lock, .ThinLock */
	uint64_t sb_lock, sb_thin;
	/* 8.0-10.0: AwareLock at SyncBlock + aw_at; holder a Thread* (8.0,
	 * 9.0) or the holder's managed id (10.0: m_HoldingThreadId). */
	uint64_t aw_at, aw_state, aw_rec, aw_holder;
	/* ... and the Monitor.Wait queue: SyncBlock.m_Link, WaitEventLink. */
	uint64_t sb_link, wel_sb, wel_thread, wel_link;
	/* ... and what each thread waits for: Thread::DebugBlockingInfo, its
	 * list of DebugBlockingItems (threaddebugblockinginfo.h). */
	uint64_t th_blocking, dbi_monitor, dbi_type, dbi_next;
	bool aw_holder_id;
	uint32_t aw_locked, aw_waiter_shift; /* LockState bits */
	/* System.Threading.Lock (9.0+, CoreLib Lock.cs): _state's locked bit
	 * and waiter count; _owningThreadId an OS thread id (9.0, 10.0) or a
	 * managed one (11.0). lock_known false: no such type (8.0). */
	bool lock_known, lock_owner_os;
	uint32_t lock_locked, lock_waiter_shift;
};

/* The loaded assemblies (Loader.md; appdomain.hpp, arraylist.h, assembly.hpp,
 * peassembly.h): the AppDomain's ArrayList of assemblies, each entry an
 * Assembly (11.0) or a DomainAssembly whose first field is its Assembly
 * (8.0 to 10.0: domainassembly.h m_pAssembly); an Assembly's Module, whose
 * Assembly points back. A module's path: Module.Path, a UTF-16 string
 * (9.0+), or the buffer of PEImage's SString m_path (8.0). Its binder (the
 * native side of its AssemblyLoadContext): PEAssembly.AssemblyBinder (10.0+),
 * or the binder of PEAssembly's host assembly (8.0, 9.0: m_pHostAssembly,
 * BINDER_SPACE::Assembly m_binder). */
struct rt_lay_assemblies {
	uint64_t app_domain; /* address of AppDomain::m_pTheAppDomain */
	uint64_t list;	     /* AppDomain's ArrayListBase */
	uint64_t al_count, al_first, alb_next, alb_size, alb_array; /* ArrayListBase, ArrayListBlock */
	bool domain_assembly;	      /* entries are DomainAssembly* */
	uint64_t da_assembly;	      /* DomainAssembly.Assembly */
	uint64_t asm_module, mod_assembly; /* Assembly.Module, Module.Assembly */
	bool mod_path;		      /* Module.Path (else PEImage's path) */
	uint64_t path;		      /* Module.Path or PEImage's path buffer */
	bool binder_direct;	      /* PEAssembly.AssemblyBinder */
	uint64_t pea_binder;	      /* ... or PEAssembly.HostAssembly */
	uint64_t host_binder;	      /* ... and its Binder */
};

/* Addresses of runtime variables (as the descriptor's indirect globals
 * give them: the variable, not its value). 0 when unknown. */
struct rt_lay_globals {
	uint64_t thread_store, free_mt, string_mt, object_mt;
	uint64_t gc_dac_vars; /* g_gcDacGlobals, when found */
	uint32_t heap_type;   /* g_heap_type: 1 workstation, 2 server; 0 unknown */
};

struct rt_layout {
	const char *line; /* "8.0", ... or NULL: no table for this version */
	int err[RT_LG_COUNT];
	struct rt_lay_obj obj;
	struct rt_lay_mt mt;
	struct rt_lay_module module;
	struct rt_lay_fields fields;
	struct rt_lay_thread thread;
	struct rt_lay_alloc alloc;
	struct rt_lay_statics statics;
	struct rt_lay_method method;
	struct rt_lay_precode precode;
	struct rt_lay_codemap codemap;
	struct rt_lay_gc gc;
	struct rt_lay_handles handles;
	struct rt_lay_finalizer finalizer;
	struct rt_lay_stack stack;
	struct rt_lay_sync sync;
	struct rt_lay_assemblies assemblies;
	struct rt_lay_globals g;
};

/* Resolves and checks rt->lay (layout.c); never fails as a whole: each
 * group's err says whether it is usable, and /info says why not. */
void rt_layout_load(struct rt *rt);
/* The error a reader of group g returns: 0 when usable. */
int rt_layout_err(const struct rt *rt, enum rt_lay_group g);

#endif
