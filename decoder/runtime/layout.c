// SPDX-License-Identifier: MIT
// The layout layer: every native offset, size, flag and runtime variable the
// decoder uses, resolved once at rt_open() and checked on the dump
// (layout.h says where each comes from; docs/layouts.md lists them per line).
#include "layout_i.h"

#include "diag.h"
#include "dump.h"
#include "fields.h"
#include "runtime_i.h"
#include "types.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define STRUCT_SIZE_MAX 4096 /* bound on a native struct the layer describes */

static const char *const group_names[RT_LG_COUNT] = {
	[RT_LG_OBJ] = "strings and arrays",
	[RT_LG_MT] = "types (MethodTable, EEClass)",
	[RT_LG_MODULE] = "modules and their metadata",
	[RT_LG_FIELDS] = "fields (FieldDesc)",
	[RT_LG_THREAD] = "threads (Thread, ThreadStore)",
	[RT_LG_ALLOC] = "allocation contexts",
	[RT_LG_STATICS] = "static fields",
	[RT_LG_METHOD] = "method names (MethodDesc)",
	[RT_LG_PRECODE] = "precode stubs",
	[RT_LG_CODEMAP] = "the code range map",
	[RT_LG_GC] = "the GC heap",
	[RT_LG_HANDLES] = "the GC handle table",
	[RT_LG_FINALIZER] = "the finalization queue",
	[RT_LG_STACK] = "thread stacks",
	[RT_LG_SYNC] = "locks (sync blocks)",
	[RT_LG_ASSEMBLIES] = "the loaded assemblies (AppDomain)",
};

const char *const rt_frame_kind_names[RT_FK_COUNT] = {
	[RT_FK_INLINED_CALL] = "InlinedCallFrame",
	[RT_FK_RESUMABLE] = "ResumableFrame",
	[RT_FK_REDIRECTED_THREAD] = "RedirectedThreadFrame",
	[RT_FK_FAULTING_EXCEPTION] = "FaultingExceptionFrame",
	[RT_FK_SOFTWARE_EXCEPTION] = "SoftwareExceptionFrame",
	[RT_FK_FUNC_EVAL] = "FuncEvalFrame",
	[RT_FK_PINVOKE_CALLI] = "PInvokeCalliFrame",
	[RT_FK_HIJACK] = "HijackFrame",
	[RT_FK_PRESTUB_METHOD] = "PrestubMethodFrame",
	[RT_FK_CALL_COUNTING_HELPER] = "CallCountingHelperFrame",
	[RT_FK_STUB_DISPATCH] = "StubDispatchFrame",
	[RT_FK_EXTERNAL_METHOD] = "ExternalMethodFrame",
	[RT_FK_DYNAMIC_HELPER] = "DynamicHelperFrame",
	[RT_FK_PROTECT_VALUE_CLASS] = "ProtectValueClassFrame",
	[RT_FK_DEBUGGER_CLASS_INIT_MARK] = "DebuggerClassInitMarkFrame",
	[RT_FK_DEBUGGER_EXIT] = "DebuggerExitFrame",
	[RT_FK_DEBUGGER_U2M_CATCH_HANDLER] = "DebuggerU2MCatchHandlerFrame",
	[RT_FK_EXCEPTION_FILTER] = "ExceptionFilterFrame",
	[RT_FK_HELPER_METHOD] = "HelperMethodFrame",
	[RT_FK_HELPER_METHOD_1OBJ] = "HelperMethodFrame_1OBJ",
};

void lay_begin(struct lay_res *r, enum rt_lay_group g)
{
	r->g = g;
	r->err = 0;
	r->what[0] = '\0';
}

void lay_fail(struct lay_res *r, int err, const char *fmt, ...)
{
	va_list ap;

	if (r->err)
		return;
	r->err = err;
	va_start(ap, fmt);
	vsnprintf(r->what, sizeof(r->what), fmt, ap);
	va_end(ap);
}

void lay_end(struct lay_res *r)
{
	struct rt *rt = r->rt;

	if (rt->lay.err[r->g])
		return; /* a group filled in parts keeps its first failure */
	rt->lay.err[r->g] = r->err;
	if (r->err)
		diag_add(dump_diag(rt->d), "%s cannot be read on runtime %s: %s",
			 group_names[r->g], rt->version, r->what);
}

static const struct lay_row *rows_find(const struct lay_row *rows, size_t n, const char *type,
				       const char *field)
{
	for (size_t i = 0; i < n; i++) {
		const struct lay_row *row = &rows[i];
		if (!strcmp(row->type, type) &&
		    (field ? row->field && !strcmp(row->field, field) : !row->field))
			return row;
	}
	return NULL;
}

/* The line's row for type.field (or global type), arm64's first on arm64. */
static const struct lay_row *row_find(const struct lay_res *r, const char *type, const char *field)
{
	const struct lay_line *l = r->line;
	const struct lay_row *row = NULL;

	if (!l)
		return NULL;
	if (r->arm64)
		row = rows_find(l->arm64_rows, l->narm64_rows, type, field);
	return row ? row : rows_find(l->rows, l->nrows, type, field);
}

bool lay_field_opt(struct lay_res *r, uint64_t *out, const char *type, const char *field)
{
	const struct lay_row *row;

	if (!rt_field_offset(r->rt, type, field, out))
		return true;
	if ((row = row_find(r, type, field))) {
		*out = row->value;
		return true;
	}
	return false;
}

void lay_field(struct lay_res *r, uint64_t *out, const char *type, const char *field,
	       const char *alias)
{
	if (lay_field_opt(r, out, type, field) || (alias && lay_field_opt(r, out, type, alias))) {
		if (*out > STRUCT_SIZE_MAX)
			lay_fail(r, -EBADMSG, "%s.%s is at an implausible offset %" PRIu64, type,
				 field, *out);
		return;
	}
	*out = 0;
	if (r->line)
		lay_fail(r, -ENOTSUP,
			 "neither the contract descriptor nor clrfs's %s table gives %s.%s",
			 r->line->name, type, field);
	else
		lay_fail(r, -ENOTSUP,
			 "the contract descriptor lacks %s.%s and clrfs has no table for this "
			 "version",
			 type, field);
}

void lay_size(struct lay_res *r, uint64_t *out, const char *type)
{
	lay_field(r, out, type, "!", NULL);
}

bool lay_global_opt(struct lay_res *r, uint64_t *out, const char *name)
{
	const struct lay_row *row;

	if (!rt_global(r->rt, name, out))
		return true;
	if (!(row = row_find(r, name, NULL)))
		return false;
	if (row->kind == LAY_VALUE) {
		*out = row->value;
		return true;
	}
	/* An entry of g_dacTable: the address of the variable. */
	if (!r->dactable ||
	    dump_read_ptr(r->rt->d, r->dactable + row->value * RT_PTR_SIZE, out) || !*out) {
		lay_fail(r, -EIO, "g_dacTable entry %" PRIu64 " (%s) is unreadable", row->value,
			 name);
		return false;
	}
	return true;
}

void lay_global(struct lay_res *r, uint64_t *out, const char *name)
{
	if (lay_global_opt(r, out, name))
		return;
	*out = 0;
	if (r->line)
		lay_fail(r, -ENOTSUP, "neither the contract descriptor nor clrfs's %s table gives %s",
			 r->line->name, name);
	else
		lay_fail(r, -ENOTSUP,
			 "the contract descriptor lacks %s and clrfs has no table for this version",
			 name);
}

/* The pointer in the variable at the global's address, when known. */
static uint64_t global_deref(struct lay_res *r, const char *name)
{
	uint64_t addr, v;

	if (!lay_global_opt(r, &addr, name) || dump_read_ptr(r->rt->d, addr, &v))
		return 0;
	return v;
}

static void lay_obj(struct lay_res *r)
{
	struct rt_lay_obj *o = &r->rt->lay.obj;

	lay_begin(r, RT_LG_OBJ);
	lay_global(r, &o->mt_unmask, "ObjectToMethodTableUnmask");
	lay_field(r, &o->str_len, "String", "m_StringLength", NULL);
	lay_field(r, &o->str_first, "String", "m_FirstChar", NULL);
	lay_size(r, &o->arr_hdr, "Array");
	lay_field(r, &o->arr_ncomp, "Array", "m_NumComponents", NULL);
	if (!r->err && (o->mt_unmask > 0xf || o->arr_hdr < o->arr_ncomp + 4))
		lay_fail(r, -EBADMSG, "the object layout is implausible");
	lay_end(r);
}

static void lay_mt(struct lay_res *r)
{
	struct rt_layout *l = &r->rt->lay;
	struct rt_lay_mt *m = &l->mt;

	lay_begin(r, RT_LG_MT);
	lay_size(r, &m->size, "MethodTable");
	lay_field(r, &m->flags, "MethodTable", "MTFlags", NULL);
	lay_field(r, &m->base_size, "MethodTable", "BaseSize", NULL);
	lay_field(r, &m->flags2, "MethodTable", "MTFlags2", NULL);
	lay_field(r, &m->parent, "MethodTable", "ParentMethodTable", NULL);
	lay_field(r, &m->module, "MethodTable", "Module", NULL);
	lay_field(r, &m->canon, "MethodTable", "EEClassOrCanonMT", NULL);
	lay_field(r, &m->per_inst, "MethodTable", "PerInstInfo", NULL);
	/* 8.0's u16 m_wToken, or the bits of MTFlags2 above its low byte
	 * (methodtable.h GetTypeDefRid; RuntimeTypeSystem.md). */
	if (lay_field_opt(r, &m->token, "MethodTable", "TypeDefToken")) {
		m->token_shift = 0;
		m->token_mask = 0xffff;
		m->token_overflow = 0xffff; /* METHODTABLE_TOKEN_OVERFLOW */
	} else {
		m->token = m->flags2;
		m->token_shift = 8;
		m->token_mask = 0xffffff;
		m->token_overflow = 0;
	}
	lay_field(r, &m->ee_mt, "EEClass", "MethodTable", NULL);
	lay_field(r, &m->ee_norm, "EEClass", "InternalCorElementType", NULL);
	/* 11.0 has no ArrayClass: the rank follows from BaseSize (layout.h). */
	m->rank_from_size = !lay_field_opt(r, &m->rank, "ArrayClass", "Rank");
	lay_field(r, &m->gdi_ndicts, "GenericsDictInfo", "NumDicts", NULL);
	lay_field(r, &m->gdi_nargs, "GenericsDictInfo", "NumTypeArgs", NULL);
	lay_field(r, &m->td_flags, "TypeDesc", "TypeAndFlags", NULL);
	lay_field(r, &m->td_arg, "ParamTypeDesc", "TypeArg", NULL);
	/* Fields read from one copy of the MethodTable must lie inside it. */
	uint64_t ends[] = {m->flags + 4,	  m->base_size + 4,	   m->token + 4,
			   m->parent + RT_PTR_SIZE, m->module + RT_PTR_SIZE, m->canon + RT_PTR_SIZE,
			   m->per_inst + RT_PTR_SIZE};
	for (size_t i = 0; !r->err && i < sizeof(ends) / sizeof(ends[0]); i++)
		if (ends[i] > m->size)
			lay_fail(r, -EBADMSG, "a MethodTable field lies past its size %" PRIu64,
				 m->size);
	if (!r->err) {
		l->g.free_mt = global_deref(r, "FreeObjectMethodTable");
		l->g.string_mt = global_deref(r, "StringMethodTable");
		l->g.object_mt = global_deref(r, "ObjectMethodTable");
		if (!l->g.free_mt || !l->g.string_mt)
			lay_fail(r, -EIO,
				 "the free-object and String MethodTables are unknown or unreadable");
	}
	lay_end(r);
}

static void lay_module(struct lay_res *r)
{
	struct rt_lay_module *m = &r->rt->lay.module;

	lay_begin(r, RT_LG_MODULE);
	lay_field(r, &m->pea, "Module", "PEAssembly", NULL);
	lay_field(r, &m->typedefs, "Module", "TypeDefToMethodTableMap", NULL);
	lay_field(r, &m->typerefs, "Module", "TypeRefToMethodTableMap", NULL);
	lay_field(r, &m->params, "Module", "AvailableTypeParams", NULL);
	lay_field(r, &m->map_next, "ModuleLookupMap", "Next", NULL);
	lay_field(r, &m->map_data, "ModuleLookupMap", "TableData", NULL);
	lay_field(r, &m->map_count, "ModuleLookupMap", "Count", NULL);
	lay_field(r, &m->map_mask, "ModuleLookupMap", "SupportedFlagsMask", NULL);
	lay_field(r, &m->eth_buckets, "EETypeHashTable", "Buckets", NULL);
	lay_field(r, &m->eth_count, "EETypeHashTable", "Count", NULL);
	lay_field(r, &m->eth_value, "EETypeHashTable", "VolatileEntryValue", NULL);
	lay_field(r, &m->eth_next, "EETypeHashTable", "VolatileEntryNextEntry", NULL);
	lay_field(r, &m->pea_image, "PEAssembly", "PEImage", NULL);
	lay_field(r, &m->image_layout, "PEImage", "LoadedImageLayout", NULL);
	lay_field(r, &m->layout_base, "PEImageLayout", "Base", NULL);
	lay_field(r, &m->layout_size, "PEImageLayout", "Size", NULL);
	lay_field(r, &m->layout_flags, "PEImageLayout", "Flags", NULL);
	lay_end(r);
}

static void lay_fields(struct lay_res *r)
{
	struct rt_layout *l = &r->rt->lay;
	struct rt_lay_fields *f = &l->fields;

	lay_begin(r, RT_LG_FIELDS);
	lay_field(r, &f->ee_fdlist, "EEClass", "FieldDescList", NULL);
	lay_field(r, &f->ee_padding, "EEClass", "BaseSizePadding", NULL);
	if (lay_field_opt(r, &f->ee_fixed_size, "EEClass", "FixedEEClassFields")) {
		/* 8.0: EEClassPackedFields after the EEClass's fixed part, in the
		 * order of class.h enum EEClassFieldId. */
		f->counts_packed = true;
		lay_field(r, &f->ee_packed, "EEClass", "FieldsArePacked", NULL);
		f->ee_ninst = 0;   /* EEClass_Field_NumInstanceFields */
		f->ee_nstatic = 2; /* EEClass_Field_NumStaticFields */
		f->ee_nthread = 6; /* EEClass_Field_NumThreadStaticFields */
	} else {
		lay_field(r, &f->ee_ninst, "EEClass", "NumInstanceFields", NULL);
		lay_field(r, &f->ee_nstatic, "EEClass", "NumStaticFields", NULL);
		lay_field(r, &f->ee_nthread, "EEClass", "NumThreadStaticFields", NULL);
	}
	lay_size(r, &f->fd_size, "FieldDesc");
	lay_field(r, &f->fd_mt, "FieldDesc", "MTOfEnclosingClass", NULL);
	lay_field(r, &f->fd_dw1, "FieldDesc", "DWord1", NULL);
	lay_field(r, &f->fd_dw2, "FieldDesc", "DWord2", NULL);
	if (!r->err && (f->fd_size > 64 || f->fd_mt + RT_PTR_SIZE > f->fd_size ||
			f->fd_dw1 + 4 > f->fd_size || f->fd_dw2 + 4 > f->fd_size))
		lay_fail(r, -EBADMSG, "the FieldDesc layout is implausible");
	lay_end(r);
}

static void lay_thread(struct lay_res *r)
{
	struct rt_layout *l = &r->rt->lay;
	struct rt_lay_thread *t = &l->thread;
	static const char *const counts[5] = {"ThreadCount", "UnstartedCount", "BackgroundCount",
					      "PendingCount", "DeadCount"};

	lay_begin(r, RT_LG_THREAD);
	lay_field(r, &t->id, "Thread", "Id", NULL);
	lay_field(r, &t->os_id, "Thread", "OSId", NULL);
	lay_field(r, &t->state, "Thread", "State", NULL);
	lay_field(r, &t->preemptive, "Thread", "PreemptiveGCDisabled", NULL);
	/* 11.0 renamed the handle of the managed Thread (m_ExposedObject). */
	lay_field(r, &t->exposed, "Thread", "ExposedObject", "GCHandle");
	lay_field(r, &t->last_thrown, "Thread", "LastThrownObject", NULL);
	lay_field(r, &t->link, "Thread", "LinkNext", NULL);
	/* How the list links: the Thread contract says (10.0's integer version 1
	 * links SLinks; 11.0's renumbered "c1", dotnet/runtime PR #126949, links
	 * Threads), else the line's table (8.0 has no descriptor). */
	uint64_t direct = 0;
	json_t *tc = json_object_get(r->rt->contracts, "Thread");
	if (json_is_string(tc))
		direct = 1;
	else if (!json_is_integer(tc) && !lay_global_opt(r, &direct, "ThreadListLinksThreads"))
		lay_fail(r, -ENOTSUP, "the Thread contract's version is unknown");
	t->link_is_thread = direct != 0;
	lay_field(r, &t->first_link, "ThreadStore", "FirstThreadLink", NULL);
	for (int i = 0; i < 5; i++)
		lay_field(r, &t->counts[i], "ThreadStore", counts[i], NULL);
	lay_global(r, &l->g.thread_store, "ThreadStore");
	lay_end(r);

	/* The allocation context: through RuntimeThreadLocals (9.0+: a
	 * gc_alloc_context, 10.0+ inside an EEAllocContext), else inline in
	 * the Thread (the table's Thread.AllocContext). */
	struct rt_lay_alloc *a = &l->alloc;
	lay_begin(r, RT_LG_ALLOC);
	if (lay_field_opt(r, &a->rtl, "Thread", "RuntimeThreadLocals")) {
		uint64_t ee = 0;
		a->rtl_indirect = true;
		lay_field(r, &a->ctx, "RuntimeThreadLocals", "AllocContext", NULL);
		if (lay_field_opt(r, &ee, "EEAllocContext", "GCAllocationContext"))
			a->ctx += ee;
	} else {
		lay_field(r, &a->rtl, "Thread", "AllocContext", NULL);
	}
	lay_field(r, &a->ptr, "GCAllocContext", "Pointer", NULL);
	lay_field(r, &a->limit, "GCAllocContext", "Limit", NULL);
	lay_end(r);
}

static void lay_statics(struct lay_res *r)
{
	struct rt_lay_statics *s = &r->rt->lay.statics;

	lay_begin(r, RT_LG_STATICS);
	if (lay_field_opt(r, &s->mod_dlm, "Module", "ModuleID")) {
		s->dlm = true;
		lay_field(r, &s->dlm_table, "DomainLocalModule", "DynamicClassTable", NULL);
		lay_field(r, &s->dlm_entries, "DomainLocalModule", "DynamicEntries", NULL);
		lay_field(r, &s->dlm_gc, "DomainLocalModule", "GCStatics", NULL);
		lay_size(r, &s->dci_size, "DynamicClassInfo");
		lay_field(r, &s->dci_flags, "DynamicClassInfo", "Flags", NULL);
		lay_field(r, &s->gsi_id, "GenericsStaticsInfo", "DynamicTypeID", NULL);
		lay_field(r, &s->mt_num_virtuals, "MethodTable", "NumVirtuals", NULL);
		lay_field(r, &s->mt_interface_map, "MethodTable", "InterfaceMap", NULL);
		lay_end(r);
		return;
	}
	lay_field(r, &s->mt_aux, "MethodTable", "AuxiliaryData", NULL);
	lay_size(r, &s->dsi_size, "DynamicStaticsInfo");
	lay_field(r, &s->dsi_gc, "DynamicStaticsInfo", "GCStatics", NULL);
	lay_field(r, &s->dsi_nongc, "DynamicStaticsInfo", "NonGCStatics", NULL);
	lay_global(r, &s->mask, "StaticsPointerMask");
	/* MethodTable m_dwFlags2 enum_flag_DynamicStatics (methodtable.h;
	 * RuntimeTypeSystem.md "DynamicStatics = 0x0002"). */
	s->dynamic_flag = 0x2u;
	/* Thread statics: every piece or none (Thread.md GetThreadLocalStaticBase). */
	s->thread_statics =
		lay_field_opt(r, &s->th_tld, "Thread", "ThreadLocalDataPtr") &&
		lay_field_opt(r, &s->tsi_size, "ThreadStaticsInfo", "!") &&
		lay_field_opt(r, &s->tsi_nongc, "ThreadStaticsInfo", "NonGCTlsIndex") &&
		lay_field_opt(r, &s->tsi_gc, "ThreadStaticsInfo", "GCTlsIndex") &&
		lay_field_opt(r, &s->tld_nc_count, "ThreadLocalData", "NonCollectibleTlsDataCount") &&
		lay_field_opt(r, &s->tld_nc_array, "ThreadLocalData", "NonCollectibleTlsArrayData") &&
		lay_field_opt(r, &s->tld_c_count, "ThreadLocalData", "CollectibleTlsDataCount") &&
		lay_field_opt(r, &s->tld_c_array, "ThreadLocalData", "CollectibleTlsArrayData") &&
		lay_global_opt(r, &s->ptr_array_data, "PtrArrayOffsetToDataArray") &&
		lay_global_opt(r, &s->tls_unused, "NumberOfTlsOffsetsNotUsedInNoncollectibleArray") &&
		s->tsi_size >= 8 && s->tsi_size <= 256 && s->ptr_array_data <= 64 &&
		s->tls_unused < 16;
	lay_end(r);
}

static void lay_method(struct lay_res *r)
{
	struct rt_lay_method *m = &r->rt->lay.method;

	lay_begin(r, RT_LG_METHOD);
	lay_field(r, &m->md_index, "MethodDesc", "ChunkIndex", NULL);
	lay_field(r, &m->md_flags3, "MethodDesc", "Flags3AndTokenRemainder", NULL);
	if (!lay_field_opt(r, &m->md_flags, "MethodDesc", "Flags") ||
	    !lay_field_opt(r, &m->dyn_name, "DynamicMethodDesc", "MethodName"))
		m->md_flags = m->dyn_name = 0;
	if (!m->md_flags ||
	    !lay_field_opt(r, &m->imd_dict, "InstantiatedMethodDesc", "PerInstInfo") ||
	    !lay_field_opt(r, &m->imd_nargs, "InstantiatedMethodDesc", "NumGenericArgs"))
		m->imd_dict = m->imd_nargs = 0;
	lay_field(r, &m->chunk_mt, "MethodDescChunk", "MethodTable", NULL);
	lay_field(r, &m->chunk_range, "MethodDescChunk", "FlagsAndTokenRange", NULL);
	lay_size(r, &m->chunk_size, "MethodDescChunk");
	lay_global(r, &m->align, "MethodDescAlignment");
	lay_global(r, &m->token_bits, "MethodDescTokenRemainderBitCount");
	if (!r->err && (m->token_bits == 0 || m->token_bits > 24 || m->align == 0 || m->align > 64))
		lay_fail(r, -EBADMSG, "the MethodDesc token layout is implausible");
	lay_end(r);
}

/* Reads the PrecodeMachineDescriptor at pmd (10.0+) into p. */
static void read_pmd(struct lay_res *r, uint64_t pmd, struct rt_lay_precode *p)
{
	struct dump *d = r->rt->d;
	uint64_t o_fsize, o_fbytes, o_fign, o_ssize, o_sbytes, o_sign, o_stype, o_page;

	lay_field(r, &o_fsize, "PrecodeMachineDescriptor", "FixupStubPrecodeSize", NULL);
	lay_field(r, &o_fbytes, "PrecodeMachineDescriptor", "FixupBytes", NULL);
	lay_field(r, &o_fign, "PrecodeMachineDescriptor", "FixupIgnoredBytes", NULL);
	lay_field(r, &o_ssize, "PrecodeMachineDescriptor", "StubPrecodeSize", NULL);
	lay_field(r, &o_sbytes, "PrecodeMachineDescriptor", "StubBytes", NULL);
	lay_field(r, &o_sign, "PrecodeMachineDescriptor", "StubIgnoredBytes", NULL);
	lay_field(r, &o_stype, "PrecodeMachineDescriptor", "StubPrecodeType", NULL);
	lay_field(r, &o_page, "PrecodeMachineDescriptor", "StubCodePageSize", NULL);
	if (r->err)
		return;
	if (dump_read(d, pmd + o_fsize, &p->fixup_len, 1) ||
	    dump_read(d, pmd + o_ssize, &p->stub_len, 1) ||
	    dump_read(d, pmd + o_stype, &p->stub_type, 1) ||
	    dump_read_u32(d, pmd + o_page, &p->page)) {
		lay_fail(r, -EIO, "the PrecodeMachineDescriptor is unreadable");
		return;
	}
	if (!p->fixup_len || p->fixup_len > RT_PRECODE_BYTES_MAX || !p->stub_len ||
	    p->stub_len > RT_PRECODE_BYTES_MAX) {
		lay_fail(r, -EBADMSG, "the PrecodeMachineDescriptor's sizes are implausible");
		return;
	}
	if (dump_read(d, pmd + o_fbytes, p->fixup, p->fixup_len) ||
	    dump_read(d, pmd + o_fign, p->fixup_ign, p->fixup_len) ||
	    dump_read(d, pmd + o_sbytes, p->stub, p->stub_len) ||
	    dump_read(d, pmd + o_sign, p->stub_ign, p->stub_len))
		lay_fail(r, -EIO, "the PrecodeMachineDescriptor is unreadable");
}

static void lay_precode(struct lay_res *r)
{
	struct rt_lay_precode *p = &r->rt->lay.precode;
	uint64_t pm, off;

	lay_begin(r, RT_LG_PRECODE);
	if (lay_global_opt(r, &pm, "PlatformMetadata")) {
		lay_field(r, &off, "PlatformMetadata", "PrecodeMachineDescriptor", NULL);
		if (!r->err)
			read_pmd(r, pm + off, p);
	} else if (r->line && r->arm64 && r->line->arm64_precode) {
		/* The runtime picks its templates by the page size, 16 KiB at
		 * least (precode.cpp StaticInitialize, GetStubCodePageSize). */
		uint32_t page = dump_page_size(r->rt->d);
		if (page)
			r->line->arm64_precode(page < 0x4000 ? 0x4000 : page, p);
		else
			lay_fail(r, -EBADMSG, "the dump does not give the page size (no AT_PAGESZ in "
					      "NT_AUXV), which the precode templates depend on");
	} else if (r->line && !r->arm64 && r->line->precode) {
		*p = *r->line->precode;
	} else {
		lay_fail(r, -ENOTSUP, "the runtime publishes no PrecodeMachineDescriptor and "
				      "clrfs has no precode template for it");
	}
	lay_field(r, &p->fixup_md, "FixupPrecodeData", "MethodDesc", NULL);
	lay_field(r, &p->stub_secret, "StubPrecodeData", "SecretParam", NULL);
	lay_field(r, &p->stub_type_data, "StubPrecodeData", "Type", NULL);
	if (!r->err && (p->page < 4096 || (p->page & (p->page - 1))))
		lay_fail(r, -EBADMSG, "the precode data page size %u is implausible", p->page);
	lay_end(r);
}

/* Stack walks: from the descriptor (10.0+) or the line's rows (8.0 and 9.0,
 * whose Frames are told by their vtables: the g_dacTable entries of
 * vptr_list.h). The Frames that record a caller's context by a
 * TransitionBlock or a CONTEXT are optional: without them the walk passes
 * those Frames by the native unwind. */
static void lay_stack(struct lay_res *r)
{
	struct rt_lay_stack *s = &r->rt->lay.stack;
	char name[64];

	lay_begin(r, RT_LG_STACK);
	s->arm64 = r->arm64;
	/* CONTEXT, which no descriptor describes (winnt.h and the PAL's pal.h,
	 * the same on every line): x64 Rax at 0x78, then the 16 integer
	 * registers in x64 encoding order, Rip at 0xF8; arm64 X0 at 8, then
	 * X1..X28, Fp, Lr, Sp (32), Pc at 0x108. */
	s->ctx_regs = r->arm64 ? 0x08 : 0x78;
	s->ctx_ip = r->arm64 ? 0x108 : 0xf8;
	s->ctx_nregs = r->arm64 ? 32 : 16;
	lay_field(r, &s->thread_frame, "Thread", "Frame", NULL);
	lay_field(r, &s->frame_next, "Frame", "Next", NULL);
	for (int k = 0; k < RT_FK_COUNT; k++) {
		snprintf(name, sizeof(name), "%sIdentifier", rt_frame_kind_names[k]);
		if (!lay_global_opt(r, &s->frame_id[k], name))
			s->frame_id[k] = 0;
	}
	if (!r->err && !s->frame_id[RT_FK_INLINED_CALL])
		lay_fail(r, -ENOTSUP, "the runtime does not number its Frame kinds "
				      "(InlinedCallFrameIdentifier)");
	lay_field(r, &s->icf_sp, "InlinedCallFrame", "CallSiteSP", NULL);
	lay_field(r, &s->icf_ret, "InlinedCallFrame", "CallerReturnAddress", NULL);
	lay_field(r, &s->icf_fp, "InlinedCallFrame", "CalleeSavedFP", NULL);
	if (!lay_field_opt(r, &s->fmf_tb, "FramedMethodFrame", "TransitionBlockPtr") ||
	    !lay_field_opt(r, &s->tb_size, "TransitionBlock", "!") ||
	    !lay_field_opt(r, &s->tb_ret, "TransitionBlock", "ReturnAddress") ||
	    !lay_field_opt(r, &s->tb_regs, "TransitionBlock", "CalleeSavedRegisters"))
		s->fmf_tb = s->tb_size = 0;
	/* src/coreclr/vm/amd64/cgencpu.h CalleeSavedRegisters (UNIX_AMD64_ABI):
	 * r12, r13, r14, r15, rbx, rbp; arm64/cgencpu.h: x29, x30, x19..x28. */
	static const char *const x64_names[] = {"R12", "R13", "R14", "R15", "Rbx", "Rbp"};
	static const uint8_t x64_regs[] = {12, 13, 14, 15, 3, 5};
	static const char *const a64_names[] = {"Fp",  "Lr",  "X19", "X20", "X21", "X22",
						"X23", "X24", "X25", "X26", "X27", "X28"};
	static const uint8_t a64_regs[] = {29, 30, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28};
	const char *const *names = r->arm64 ? a64_names : x64_names;
	const uint8_t *regs = r->arm64 ? a64_regs : x64_regs;
	s->nsaved = r->arm64 ? 12 : 6;
	for (unsigned i = 0; i < s->nsaved; i++) {
		s->saved_reg[i] = regs[i];
		if (!lay_field_opt(r, &s->saved_off[i], "CalleeSavedRegisters", names[i]))
			s->saved_off[i] = 8ull * i;
	}
	if (!lay_field_opt(r, &s->sef_ctx, "SoftwareExceptionFrame", "TargetContext"))
		s->sef_ctx = 0;
	if (!lay_field_opt(r, &s->fef_ctx, "FaultingExceptionFrame", "TargetContext"))
		s->fef_ctx = 0;
	if (!lay_field_opt(r, &s->rsf_ctx_ptr, "ResumableFrame", "TargetContextPtr"))
		s->rsf_ctx_ptr = 0;
	lay_field(r, &s->rch_nunwind, "RealCodeHeader", "NumUnwindInfos", NULL);
	lay_field(r, &s->rch_unwind, "RealCodeHeader", "UnwindInfos", NULL);
	lay_size(r, &s->rtf_size, "RuntimeFunction");
	lay_field(r, &s->rtf_begin, "RuntimeFunction", "BeginAddress", NULL);
	/* arm64's RUNTIME_FUNCTION has no EndAddress (the length is in the
	 * unwind data), whatever an x64-and-arm64 table says. */
	s->rtf_has_end = !r->arm64 && lay_field_opt(r, &s->rtf_end, "RuntimeFunction", "EndAddress");
	lay_field(r, &s->rtf_unwind, "RuntimeFunction", "UnwindData", NULL);
	lay_field(r, &s->rs_begin, "RangeSection", "RangeBegin", NULL);
	lay_field(r, &s->mod_r2r, "Module", "ReadyToRunInfo", NULL);
	lay_field(r, &s->r2r_composite, "ReadyToRunInfo", "CompositeInfo", NULL);
	lay_field(r, &s->r2r_rtf, "ReadyToRunInfo", "RuntimeFunctions", NULL);
	lay_field(r, &s->r2r_nrtf, "ReadyToRunInfo", "NumRuntimeFunctions", NULL);
	lay_field(r, &s->r2r_hotcold, "ReadyToRunInfo", "HotColdMap", NULL);
	lay_field(r, &s->r2r_nhotcold, "ReadyToRunInfo", "NumHotColdMap", NULL);
	lay_field(r, &s->r2r_delay, "ReadyToRunInfo", "DelayLoadMethodCallThunks", NULL);
	lay_field(r, &s->r2r_map, "ReadyToRunInfo", "EntryPointToMethodDescMap", NULL);
	lay_field(r, &s->map_buckets, "HashMap", "Buckets", NULL);
	lay_size(r, &s->bucket_size, "Bucket");
	lay_field(r, &s->bucket_keys, "Bucket", "Keys", NULL);
	lay_field(r, &s->bucket_values, "Bucket", "Values", NULL);
	lay_size(r, &s->sth_size, "StackTraceArrayHeader");
	lay_field(r, &s->sth_count, "StackTraceArrayHeader", "Size", NULL);
	lay_size(r, &s->ste_size, "StackTraceElement");
	lay_field(r, &s->ste_ip, "StackTraceElement", "Ip", NULL);
	lay_field(r, &s->ste_md, "StackTraceElement", "MethodDesc", NULL);
	lay_global(r, &s->bucket_slots, "HashMapSlotsPerBucket");
	lay_global(r, &s->value_mask, "HashMapValueMask");
	if (!r->err && (s->rtf_size < (s->rtf_has_end ? 12u : 8u) || s->bucket_slots == 0 ||
			s->bucket_slots > 16 ||
			s->bucket_size < s->bucket_values + 8 * s->bucket_slots))
		lay_fail(r, -EBADMSG, "the RuntimeFunction or HashMap layout is implausible");
	if (!r->err && (s->ste_size < s->ste_md + 8 || s->sth_size < s->sth_count + 8))
		lay_fail(r, -EBADMSG, "the StackTraceElement layout is implausible");
	lay_end(r);
}

static void lay_codemap(struct lay_res *r)
{
	struct rt_lay_codemap *c = &r->rt->lay.codemap;

	lay_begin(r, RT_LG_CODEMAP);
	lay_global(r, &c->map, "ExecutionManagerCodeRangeMapAddress");
	/* The ExecutionManager contract's version names the nibble map:
	 * 1 linear, 2 constant lookup; 11.0 renumbered its contracts, and its
	 * "c1" is 10.0's 2 (dotnet/runtime PR #127020). No contract: the table. */
	uint64_t linear = 0;
	json_t *em = json_object_get(r->rt->contracts, "ExecutionManager");
	if (json_is_string(em) && !strcmp(json_string_value(em), "c1"))
		linear = 0;
	else if (json_is_integer(em) && json_integer_value(em) >= 1 && json_integer_value(em) <= 2)
		linear = json_integer_value(em) == 1;
	else if (em || !lay_global_opt(r, &linear, "NibbleMapLinear"))
		lay_fail(r, -ENOTSUP, "the ExecutionManager contract's version is unknown");
	c->nibble_linear = linear != 0;
	lay_field(r, &c->top, "RangeSectionMap", "TopLevelData", NULL);
	lay_field(r, &c->frag_begin, "RangeSectionFragment", "RangeBegin", NULL);
	lay_field(r, &c->frag_end, "RangeSectionFragment", "RangeEndOpen", NULL);
	lay_field(r, &c->frag_section, "RangeSectionFragment", "RangeSection", NULL);
	lay_field(r, &c->frag_next, "RangeSectionFragment", "Next", NULL);
	lay_field(r, &c->rs_r2r, "RangeSection", "R2RModule", NULL);
	lay_field(r, &c->rs_heap, "RangeSection", "HeapList", NULL);
	lay_field(r, &c->heap_base, "CodeHeapListNode", "MapBase", NULL);
	lay_field(r, &c->heap_map, "CodeHeapListNode", "HeaderMap", NULL);
	lay_field(r, &c->header_md, "RealCodeHeader", "MethodDesc", NULL);
	lay_global(r, &c->stub_last, "StubCodeBlockLast");
	lay_end(r);
}

/* Checks on the dump: the System.String MethodTable must read as one, with
 * its EEClass pointing back, its name from its module's metadata, and its
 * two instance fields where the String layout says; the thread list must
 * hold as many threads as the ThreadStore counts. */
static void check_types(struct lay_res *r)
{
	struct rt *rt = r->rt;
	const struct rt_layout *l = &rt->lay;
	struct rt_type_info ti;
	const struct rt_field *f;
	const char *name;
	size_t n;
	int rc;

	if (l->err[RT_LG_MT] || l->err[RT_LG_OBJ])
		return;
	lay_begin(r, RT_LG_MT);
	rc = rt_type_info(rt, l->g.string_mt, &ti);
	if (rc == -EIO)
		lay_fail(r, rc, "the String MethodTable is missing from the dump");
	else if (rc || !ti.is_string || ti.component_size != 2 ||
		 ti.base_size != RT_OBJ_HEADER_SIZE + l->obj.str_first + 2)
		lay_fail(r, -EBADMSG,
			 "the String MethodTable does not read as one (EEClass back pointer, "
			 "flags or BaseSize)");
	lay_end(r);
	if (l->err[RT_LG_MT] || l->err[RT_LG_MODULE])
		return;
	lay_begin(r, RT_LG_MODULE);
	rc = rt_type_name(rt, l->g.string_mt, &name);
	if (rc == -EIO)
		lay_fail(r, rc, "the metadata of System.Private.CoreLib is missing");
	else if (rc || strcmp(name, "System.String"))
		lay_fail(r, -EBADMSG, "the String MethodTable is not named System.String");
	lay_end(r);
	if (l->err[RT_LG_MODULE] || l->err[RT_LG_FIELDS])
		return;
	lay_begin(r, RT_LG_FIELDS);
	rc = rt_type_instance_fields(rt, l->g.string_mt, &f, &n);
	if (rc == -EIO)
		lay_fail(r, rc, "the fields of System.String are missing from the dump");
	else if (rc || n != 2 || f[0].offset + RT_PTR_SIZE != l->obj.str_len ||
		 f[1].offset + RT_PTR_SIZE != l->obj.str_first)
		lay_fail(r, -EBADMSG,
			 "the fields of System.String are not where the String layout says");
	lay_end(r);
}

/* Monitors: the header bits and the sync table from the descriptor where it
 * has them (11.0 has all, 9.0 and 10.0 the table and entry), else the line's
 * table; the SyncBlock's lock from 11.0's descriptor, or the AwareLock rows
 * of 8.0 to 10.0. */
static void lay_sync(struct lay_res *r)
{
	struct rt_lay_sync *s = &r->rt->lay.sync;
	uint64_t v[6];
	static const char *const bits[6] = {"SyncBlockIsHashOrSyncBlockIndex",
					    "SyncBlockIsHashCode",
					    "SyncBlockIndexMask",
					    "SyncBlockMaskLockThreadId",
					    "SyncBlockMaskLockRecursionLevel",
					    "SyncBlockRecursionLevelShift"};

	lay_begin(r, RT_LG_SYNC);
	lay_global(r, &s->sync_table, "SyncTableEntries");
	lay_global(r, &s->hdr_value, "SyncBlockValueToObjectOffset");
	for (int i = 0; i < 6; i++)
		lay_global(r, &v[i], bits[i]);
	s->is_index = (uint32_t)v[0];
	s->is_hash = (uint32_t)v[1];
	s->index_mask = (uint32_t)v[2];
	s->tid_mask = (uint32_t)v[3];
	s->rec_mask = (uint32_t)v[4];
	s->rec_shift = (uint32_t)v[5];
	lay_size(r, &s->ste_size, "SyncTableEntry");
	lay_field(r, &s->ste_sb, "SyncTableEntry", "SyncBlock", NULL);
	lay_field(r, &s->ste_obj, "SyncTableEntry", "Object", NULL);
	s->managed_lock = lay_field_opt(r, &s->sb_lock, "SyncBlock", "Lock");
	if (s->managed_lock) {
		lay_field(r, &s->sb_thin, "SyncBlock", "ThinLock", NULL);
	} else {
		lay_field(r, &s->aw_at, "SyncBlock", "Monitor", NULL);
		lay_field(r, &s->aw_state, "AwareLock", "LockState", NULL);
		lay_field(r, &s->aw_rec, "AwareLock", "Recursion", NULL);
		s->aw_holder_id = lay_field_opt(r, &s->aw_holder, "AwareLock", "HoldingThreadId");
		if (!s->aw_holder_id)
			lay_field(r, &s->aw_holder, "AwareLock", "HoldingThread", NULL);
		lay_global(r, &v[0], "AwareLockIsLockedMask");
		lay_global(r, &v[1], "AwareLockWaiterCountShift");
		s->aw_locked = (uint32_t)v[0];
		s->aw_waiter_shift = (uint32_t)v[1];
		lay_field(r, &s->sb_link, "SyncBlock", "LinkNext", NULL);
		lay_field(r, &s->wel_sb, "WaitEventLink", "WaitSB", NULL);
		lay_field(r, &s->wel_thread, "WaitEventLink", "Thread", NULL);
		lay_field(r, &s->wel_link, "WaitEventLink", "LinkSB", NULL);
		lay_field(r, &s->th_blocking, "Thread", "DebugBlockingInfo", NULL);
		lay_field(r, &s->dbi_monitor, "DebugBlockingItem", "Monitor", NULL);
		lay_field(r, &s->dbi_type, "DebugBlockingItem", "Type", NULL);
		lay_field(r, &s->dbi_next, "DebugBlockingItem", "Next", NULL);
	}
	v[0] = v[1] = v[2] = 0;
	s->lock_known = lay_global_opt(r, &v[0], "LockIsLockedMask") &&
			lay_global_opt(r, &v[1], "LockWaiterCountShift") &&
			lay_global_opt(r, &v[2], "LockOwnerIsOSThreadId");
	s->lock_locked = (uint32_t)v[0];
	s->lock_waiter_shift = (uint32_t)v[1];
	s->lock_owner_os = s->lock_known && v[2];
	if (!r->err && (s->hdr_value != 4 || s->lock_waiter_shift > 31 || s->ste_size < 16 || s->ste_size > 64 ||
			s->ste_sb + RT_PTR_SIZE > s->ste_size || s->ste_obj + RT_PTR_SIZE > s->ste_size ||
			s->rec_shift > 31 || !s->tid_mask || !s->index_mask || s->aw_waiter_shift > 31))
		lay_fail(r, -EBADMSG, "the sync block layout is implausible");
	lay_end(r);
}

static void lay_assemblies(struct lay_res *r)
{
	struct rt_lay_assemblies *a = &r->rt->lay.assemblies;
	struct dump *d = r->rt->d;

	lay_begin(r, RT_LG_ASSEMBLIES);
	lay_global(r, &a->app_domain, "AppDomain");
	/* DomainAssemblyList on 8.0 to 10.0, AssemblyList from 11.0 */
	lay_field(r, &a->list, "AppDomain", "AssemblyList", "DomainAssemblyList");
	lay_field(r, &a->al_count, "ArrayListBase", "Count", NULL);
	lay_field(r, &a->al_first, "ArrayListBase", "FirstBlock", NULL);
	lay_field(r, &a->alb_next, "ArrayListBlock", "Next", NULL);
	lay_field(r, &a->alb_size, "ArrayListBlock", "Size", NULL);
	lay_field(r, &a->alb_array, "ArrayListBlock", "ArrayStart", NULL);
	a->domain_assembly = lay_field_opt(r, &a->da_assembly, "DomainAssembly", "Assembly");
	lay_field(r, &a->asm_module, "Assembly", "Module", NULL);
	lay_field(r, &a->mod_assembly, "Module", "Assembly", NULL);
	a->mod_path = lay_field_opt(r, &a->path, "Module", "Path");
	if (!a->mod_path)
		lay_field(r, &a->path, "PEImage", "PathBuffer", NULL);
	a->binder_direct = lay_field_opt(r, &a->pea_binder, "PEAssembly", "AssemblyBinder");
	if (!a->binder_direct) {
		lay_field(r, &a->pea_binder, "PEAssembly", "HostAssembly", NULL);
		lay_field(r, &a->host_binder, "BinderAssembly", "Binder", NULL);
	}
	/* Checked on the dump: the first entry's Module points back at its
	 * Assembly. */
	uint64_t ad, first, assembly, module, back;
	uint32_t count;
	int rc = r->err ? 0 : rt_layout_err(r->rt, RT_LG_MODULE);
	rc = rc || r->err ? rc : dump_read_ptr(d, a->app_domain, &ad);
	rc = rc || r->err ? rc : dump_read_u32(d, ad + a->list + a->al_count, &count);
	rc = rc || r->err ? rc : dump_read_ptr(d, ad + a->list + a->al_first + a->alb_array, &first);
	if (!rc && !r->err && count) {
		assembly = first;
		if (a->domain_assembly)
			rc = dump_read_ptr(d, first + a->da_assembly, &assembly);
		rc = rc ? rc : dump_read_ptr(d, assembly + a->asm_module, &module);
		rc = rc ? rc : dump_read_ptr(d, module + a->mod_assembly, &back);
		if (!rc && back != assembly)
			lay_fail(r, -EBADMSG,
				 "the first loaded assembly's Module does not point back at it");
	}
	if (rc)
		lay_fail(r, rc, "the AppDomain's assembly list is unreadable");
	lay_end(r);
}

void rt_layout_load(struct rt *rt)
{
	struct lay_res r = {.rt = rt,
			    .line = lay_line_find(rt->version),
			    .arm64 = !strcmp(dump_arch(rt->d), "aarch64")};

	if (r.line && r.arm64 && !r.line->arm64) {
		diag_add(dump_diag(rt->d),
			 "clrfs's table of runtime %s was checked on x86_64 dumps only: on this "
			 "aarch64 dump only what the runtime describes itself is read",
			 r.line->name);
		r.line = NULL;
	}
	rt->lay.line = r.line ? r.line->name : NULL;
	if (!rt->mod || dump_module_symbol(rt->d, rt->mod, "g_dacTable", &r.dactable))
		r.dactable = 0;
	lay_obj(&r);
	lay_mt(&r);
	lay_module(&r);
	lay_fields(&r);
	lay_thread(&r);
	lay_statics(&r);
	lay_method(&r);
	lay_precode(&r);
	lay_codemap(&r);
	lay_gc(&r);
	lay_handles(&r);
	lay_finalizer(&r);
	lay_stack(&r);
	lay_sync(&r);
	lay_assemblies(&r);
	check_types(&r);
}

const char *rt_layout_line(struct rt *rt)
{
	return rt->lay.line;
}

int rt_layout_err(const struct rt *rt, enum rt_lay_group g)
{
	return rt->lay.err[g];
}
