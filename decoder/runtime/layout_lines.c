// SPDX-License-Identifier: MIT
// The tables of the runtime lines: what each line's contract descriptor lacks,
// named as the descriptor names it (layout_i.h struct lay_row). Every row says
// where it comes from; rows are checked on the dump at open (layout.c) and by
// the code that reads them. docs/layouts.md lists, per line, which source
// each layout comes from.
#include "layout_i.h"

#include <string.h>

#define ROWS(a) .rows = a, .nrows = sizeof(a) / sizeof(a[0])
#define G(name, v)	  {name, NULL, v, LAY_VALUE}
#define F(type, field, v) {type, field, v, LAY_VALUE}
#define D(name, index)	  {name, NULL, index, LAY_DACTABLE}

/* The GC handle table's constants, the same on every line up to 11.0, which
 * publishes them: src/coreclr/gc/handletablepriv.h HANDLE_SEGMENT_SIZE,
 * HANDLE_HANDLES_PER_BLOCK, HANDLE_BLOCKS_PER_SEGMENT ((0x10000 - 0x1000) /
 * 8 / 64 on 64-bit); objecthandle.h INITIAL_HANDLE_TABLE_ARRAY_SIZE; the
 * HandleTableMap { pBuckets, pNext, u32 dwMaxIndex } and HandleTableBucket
 * { pTable, u32 HandleTableIndex } of objecthandle.h. */
#define HANDLE_TABLE_ROWS                                                                          \
	G("HandleSegmentSize", 0x10000), G("HandlesPerBlock", 64),                                 \
		G("HandleBlocksPerSegment", 120), G("InitialHandleTableArraySize", 10),            \
		F("HandleTableMap", "BucketsPtr", 0), F("HandleTableMap", "Next", 8),              \
		F("HandleTableMap", "MaxIndex", 16), F("HandleTableBucket", "Table", 0),           \
		F("HandleTableBucket", "HandleTableIndex", 8)

/* ArrayListBase { DWORD m_count; FirstArrayListBlock m_firstBlock } and
 * ArrayListBlock { m_next; DWORD m_blockSize; m_array[] } (arraylist.h), as
 * the 10.0 descriptor publishes them; the same file on 8.0 and 9.0. */
#define ARRAYLIST_ROWS                                                                             \
	F("ArrayListBase", "Count", 0), F("ArrayListBase", "FirstBlock", 8),                       \
		F("ArrayListBlock", "Next", 0), F("ArrayListBlock", "Size", 8),                    \
		F("ArrayListBlock", "ArrayStart", 16)

/* Precode data (precode.h FixupPrecodeData, StubPrecodeData), as the 10.0
 * descriptor publishes it. */
#define PRECODE_DATA_ROWS                                                                          \
	F("FixupPrecodeData", "MethodDesc", 8), F("StubPrecodeData", "SecretParam", 0),            \
		F("StubPrecodeData", "Type", 16)

/* The code range map of 8.0 and 9.0: ExecutionManager::g_codeRangeMap is the
 * first g_dacTable entry (it equals the 10.0 descriptor's
 * ExecutionManagerCodeRangeMapAddress there); RangeSection, HeapList
 * (fntableaccess.h FakeHeapList) and RealCodeHeader (FakeRealCodeHeader) as
 * the 10.0 descriptor has them; the linear nibble map (no unit above 8 in
 * any 8.0.34 or 9.0.23 code heap; every jitted method of their dumps
 * resolved to the DAC's MethodDesc). */
#define CODEMAP_8_9_ROWS                                                                           \
	D("ExecutionManagerCodeRangeMapAddress", 0), F("RangeSectionMap", "TopLevelData", 0),      \
		F("RangeSectionFragment", "Next", 0), F("RangeSectionFragment", "RangeBegin", 8),  \
		F("RangeSectionFragment", "RangeEndOpen", 16),                                     \
		F("RangeSectionFragment", "RangeSection", 24), F("RangeSection", "R2RModule", 32), \
		F("RangeSection", "HeapList", 40), F("CodeHeapListNode", "MapBase", 32),           \
		F("CodeHeapListNode", "HeaderMap", 40), F("RealCodeHeader", "MethodDesc", 24),     \
		G("StubCodeBlockLast", 0xf), G("NibbleMapLinear", 1)

/* Monitors before 11.0 publishes them: the header bits of syncblk.h
 * (BIT_SBLK_IS_HASH_OR_SYNCBLKINDEX, BIT_SBLK_IS_HASHCODE,
 * MASK_SYNCBLOCKINDEX, SBLK_MASK_LOCK_THREADID, SBLK_MASK_LOCK_RECLEVEL,
 * SBLK_RECLEVEL_SHIFT; the same on 8.0 to 11.0, whose descriptor has them),
 * SyncTableEntry { PTR_SyncBlock m_SyncBlock; Object *m_Object; }, and the
 * AwareLock m_Monitor that starts class SyncBlock: { LockState m_lockState;
 * ULONG m_Recursion; then the holder } with LockState's IsLockedMask (bit 0)
 * and the waiter count from bit 6 (WaiterCountShift); SyncBlock's SLink
 * m_Link after the AwareLock (56 bytes), m_pInteropInfo and m_pEnCInfo; the
 * WaitEventLink { m_WaitSB, m_EventWait, m_Thread, m_Next, SLink m_LinkSB }
 * of each thread in Monitor.Wait, which m_Link lists; the DebugBlockingItem
 * { PTR_AwareLock pMonitor; AppDomain *; DebugBlockingItemType type (0 entering,
 * 1 in Monitor.Wait); DWORD dwTimeout; pNext } a thread pushes on its stack
 * while it blocks on a Monitor (threaddebugblockinginfo.h). Checked on the locks
 * fixture of each line: every entry's Object is the object whose header
 * holds its index, and owner, recursion and waiters are the manifest's. */
#define SYNC_ROWS                                                                                  \
	G("SyncBlockIsHashOrSyncBlockIndex", 0x08000000), G("SyncBlockIsHashCode", 0x04000000),   \
		G("SyncBlockIndexMask", 0x03ffffff), G("SyncBlockMaskLockThreadId", 0xffff),       \
		G("SyncBlockMaskLockRecursionLevel", 0x3f0000),                                    \
		G("SyncBlockRecursionLevelShift", 16), F("SyncTableEntry", "Object", 8),           \
		F("SyncBlock", "Monitor", 0), F("AwareLock", "LockState", 0),                      \
		F("AwareLock", "Recursion", 4), G("AwareLockIsLockedMask", 1),                     \
		G("AwareLockWaiterCountShift", 6), F("SyncBlock", "LinkNext", 72),                 \
		F("WaitEventLink", "WaitSB", 0), F("WaitEventLink", "Thread", 16),                 \
		F("WaitEventLink", "LinkSB", 32), F("DebugBlockingItem", "Monitor", 0),             \
		F("DebugBlockingItem", "Type", 16), F("DebugBlockingItem", "Next", 24)

/* Stack walks on 8.0 and 9.0, whose descriptors describe none of it. Frames
 * (frames.h) start with their vtable, then Frame::m_Next; InlinedCallFrame
 * { m_Datum, m_pCallSiteSP, m_pCallerReturnAddress, m_pCalleeSavedFP, ... }
 * after them; RealCodeHeader's nUnwindInfos and unwindInfos[] after the
 * MethodDesc (codeman.h), RangeSection::_range.begin first; the
 * ReadyToRunInfo fields (readytoruninfo.h) found on the fixtures' dumps:
 * m_pRuntimeFunctions and its count equal the image's RUNTIME_FUNCTIONS
 * section (READYTORUN_SECTION 102), m_pDelayLoadMethodCallThunks points at
 * the header's entry for section 106, m_pCompositeInfo at the
 * ReadyToRunInfo itself, m_entryPointToMethodDescMap the HashMap (hash.h:
 * m_rgBuckets at +16, four slots of keys then values per Bucket, the high
 * bit of a value a flag) whose buckets pointer follows its prime index;
 * an exception's stack trace as on 10.0 (stackwalk.h). Every managed frame
 * of the stacks, threads and threadpool fixtures is ClrMD's. */
#define STACK_8_9_ROWS                                                                             \
	F("Frame", "Next", 8), F("InlinedCallFrame", "CallSiteSP", 24),                            \
		F("InlinedCallFrame", "CallerReturnAddress", 32),                                  \
		F("InlinedCallFrame", "CalleeSavedFP", 40), F("RealCodeHeader", "NumUnwindInfos", 32), \
		F("RealCodeHeader", "UnwindInfos", 36), F("RuntimeFunction", "!", 12),             \
		F("RuntimeFunction", "BeginAddress", 0), F("RuntimeFunction", "EndAddress", 4),    \
		F("RuntimeFunction", "UnwindData", 8), F("RangeSection", "RangeBegin", 0),         \
		F("ReadyToRunInfo", "CompositeInfo", 40), F("ReadyToRunInfo", "RuntimeFunctions", 80), \
		F("ReadyToRunInfo", "NumRuntimeFunctions", 88), F("ReadyToRunInfo", "HotColdMap", 96), \
		F("ReadyToRunInfo", "NumHotColdMap", 104),                                         \
		F("ReadyToRunInfo", "DelayLoadMethodCallThunks", 112),                             \
		F("ReadyToRunInfo", "EntryPointToMethodDescMap", 432), F("HashMap", "Buckets", 16), \
		F("Bucket", "!", 64), F("Bucket", "Keys", 0), F("Bucket", "Values", 32),           \
		G("HashMapSlotsPerBucket", 4), G("HashMapValueMask", 0x7fffffffffffffffull),       \
		F("StackTraceArrayHeader", "!", 16), F("StackTraceArrayHeader", "Size", 0),        \
		F("StackTraceElement", "!", 32), F("StackTraceElement", "Ip", 0),                  \
		F("StackTraceElement", "MethodDesc", 16)

static const struct lay_row net10[] = {
	/* EEClass::m_cbBaseSizePadding, the byte after m_NormType (class.h;
	 * published as EEClass.BaseSizePadding from 11.0, at 49 as here). */
	F("EEClass", "BaseSizePadding", 49),
	/* FieldDesc (src/coreclr/vm/field.h, 64-bit release build; published
	 * from 11.0 with these offsets): checked on 1,026 FieldDescs of 10.0.12. */
	F("FieldDesc", "!", 16),
	F("FieldDesc", "MTOfEnclosingClass", 0),
	F("FieldDesc", "DWord1", 8),
	F("FieldDesc", "DWord2", 12),
	/* 13 handle types: HNDTYPE_WEAK_SHORT..HNDTYPE_CROSSREFERENCE (0..11)
	 * plus the data-block type 12 (handletableconstants.h; seen on 10.0.12
	 * as HandleTable.pSegmentList at +56 = align8(13 * 4) and as each
	 * segment's pHandleTable back pointer). HNDF_EXTRAINFO for variable (4),
	 * dependent (6), sizedref (8), weak native COM (9), weak interior
	 * pointer (10), cross-reference (11): objecthandle.cpp s_rgTypeFlags. */
	G("HandleMaxInternalTypes", 13),
	G("HandleExtraInfoTypes", 0xf50),
	F("HandleTable", "SegmentList", 56),
	HANDLE_TABLE_ROWS,
	/* CFinalize: m_FillPointers[total_generation_count + ExtraSegCount (2)]
	 * at 0 (gcpriv.h; dac_finalize_queue in gcinterface.dac.h, which the GC
	 * static_asserts to match). */
	G("CFinalizeFillPointersLength", 7),
	F("CFinalize", "FillPointers", 0),
	/* An exception's _stackTrace data (src/coreclr/vm/stackwalk.h and
	 * excep.h: StackTraceInfo's ArrayHeader { size_t m_size; Thread*
	 * m_thread; }, StackTraceElement { ip, sp, pFunc, flags }), as 11.0
	 * publishes them: checked on the stacks fixture's exception of 10.0.12. */
	F("StackTraceArrayHeader", "!", 16),
	F("StackTraceArrayHeader", "Size", 0),
	F("StackTraceElement", "!", 32),
	F("StackTraceElement", "Ip", 0),
	F("StackTraceElement", "MethodDesc", 16),
	/* System.Threading.Lock (Lock.cs): _state bit 0 is the lock, bit 6
	 * UseTrivialWaits, the waiter count from bit 7; _owningThreadId the OS
	 * thread id on CoreCLR (Lock.NonNativeAot.cs). Checked on the locks
	 * fixture (one waiter: _state 0x81; the holder's OS id). */
	G("LockIsLockedMask", 1), G("LockWaiterCountShift", 7), G("LockOwnerIsOSThreadId", 1),
	/* 10.0 keeps the holder's managed id, m_HoldingThreadId (PR #107168).
	 * Thread::DebugBlockingInfo: found on the locks fixture, the one field
	 * of each blocked thread's Thread that leads to a DebugBlockingItem of
	 * the Monitor it waits for. */
	SYNC_ROWS,
	F("AwareLock", "HoldingThreadId", 8),
	F("Thread", "DebugBlockingInfo", 672),
	/* The AppDomain's list holds DomainAssembly*, whose m_pAssembly is its
	 * first field (domainassembly.h; the descriptor's Assembly.Module is
	 * 16 bytes into what that points at): checked on the modules fixture,
	 * each of its 15 assemblies' Module pointing back at it. */
	F("DomainAssembly", "Assembly", 0),
};

/* .NET 8 has no contract descriptor: this is all of it. Sources are 8.0-era
 * forks of dotnet/runtime (no release/8.0 tree is at hand): methodtable.h,
 * class.h, ceeload.h, peimage.h, peassembly.h, field.h and typedesc.h as of
 * MMaxwell66/runtime 1ac8c0a/1b4a687/e88d97d and EgorBo/runtime-1 908dc94;
 * threads.h and threadstore of criteo-forks/runtime 7685e025; dacvars.h of
 * dotnet/runtimelab ba2a40dd less PR #88683's stub manager. Every row was
 * checked against the 8.0.34 DAC (through ClrMD) on 19 dumps, workstation and
 * server: docs/layouts.md says how. */
static const struct lay_row net8[] = {
	/* g_dacTable entries (dacvars.h order): the addresses of the variables. */
	D("ThreadStore", 16),	/* ThreadStore::s_pThreadStore */
	D("FinalizerThread", 17),
	D("GCThread", 18), /* g_pSuspensionThread */
	D("AppDomain", 21),
	D("SystemDomain", 22),
	D("ObjectMethodTable", 40),
	D("StringMethodTable", 43),
	D("FreeObjectMethodTable", 54),
	/* Objects (object.h): MT pointer bits the GC uses (the 9.0 and 10.0
	 * descriptors' value: no marked object is in a quiescent dump). */
	G("ObjectToMethodTableUnmask", 7),
	F("String", "m_StringLength", 8),
	F("String", "m_FirstChar", 12),
	F("Array", "!", 16),
	F("Array", "m_NumComponents", 8),
	/* MethodTable: m_dwFlags, m_BaseSize, m_wFlags2 (u16), m_wToken (u16),
	 * ..., m_pParentMethodTable, m_pLoaderModule (the type's module for
	 * every MethodTable of the dumps), m_pWriteableData, the EEClass or
	 * canonical MT (bit 0), m_pPerInstInfo / m_ElementTypeHnd. */
	F("MethodTable", "!", 0x40),
	F("MethodTable", "MTFlags", 0),
	F("MethodTable", "BaseSize", 4),
	F("MethodTable", "MTFlags2", 8),
	F("MethodTable", "TypeDefToken", 0x0a),
	F("MethodTable", "ParentMethodTable", 0x10),
	F("MethodTable", "Module", 0x18),
	F("MethodTable", "EEClassOrCanonMT", 0x28),
	F("MethodTable", "PerInstInfo", 0x30),
	/* EEClass: the counts are EEClassPackedFields u32s at the EEClass plus
	 * m_cbFixedEEClassFields (0x38 EEClass, 0x40 ArrayClass, ...). */
	F("EEClass", "MethodTable", 0x10),
	F("EEClass", "FieldDescList", 0x18),
	F("EEClass", "InternalCorElementType", 0x30),
	F("EEClass", "FieldsArePacked", 0x31),
	F("EEClass", "FixedEEClassFields", 0x32),
	F("EEClass", "BaseSizePadding", 0x33),
	F("ArrayClass", "Rank", 0x38),
	F("GenericsDictInfo", "NumDicts", 4),
	F("GenericsDictInfo", "NumTypeArgs", 6),
	F("TypeDesc", "TypeAndFlags", 0),
	F("ParamTypeDesc", "TypeArg", 8),
	/* Module (ceeload.h), its LookupMaps and the EETypeHashTable of
	 * m_pAvailableParamTypes; PEAssembly.m_PEImage, PEImage.m_pLayouts
	 * [IMAGE_LOADED], PEDecoder's m_base, m_size, m_flags. */
	F("Module", "PEAssembly", 0x110),
	F("Module", "TypeRefToMethodTableMap", 0x08),
	F("Module", "TypeDefToMethodTableMap", 0x2f0),
	F("Module", "AvailableTypeParams", 0x3c8),
	F("ModuleLookupMap", "Next", 0),
	F("ModuleLookupMap", "TableData", 8),
	F("ModuleLookupMap", "Count", 16),
	F("ModuleLookupMap", "SupportedFlagsMask", 24),
	F("EETypeHashTable", "Buckets", 16),
	F("EETypeHashTable", "Count", 24),
	F("EETypeHashTable", "VolatileEntryValue", 0),
	F("EETypeHashTable", "VolatileEntryNextEntry", 8),
	F("PEAssembly", "PEImage", 8),
	F("PEImage", "LoadedImageLayout", 0x78),
	F("PEImageLayout", "Base", 8),
	F("PEImageLayout", "Size", 16),
	F("PEImageLayout", "Flags", 20),
	/* FieldDesc (field.h) */
	F("FieldDesc", "!", 16),
	F("FieldDesc", "MTOfEnclosingClass", 0),
	F("FieldDesc", "DWord1", 8),
	F("FieldDesc", "DWord2", 12),
	/* Thread (threads.h): the allocation context is inline
	 * (m_alloc_context, a gc_alloc_context). */
	F("Thread", "State", 0x08),
	F("Thread", "PreemptiveGCDisabled", 0x0c),
	F("Thread", "Id", 0x20),
	F("Thread", "AllocContext", 0x58),
	F("Thread", "LinkNext", 0xe8),
	F("Thread", "OSId", 0x1a8),
	F("Thread", "ExposedObject", 0x1b0),
	F("Thread", "LastThrownObject", 0x1d0),
	F("GCAllocContext", "Pointer", 0),
	F("GCAllocContext", "Limit", 8),
	G("ThreadListLinksThreads", 0),
	/* ThreadStore: m_ThreadList's head, then the counts (a u32 at 0xbc,
	 * a high-water mark, is 8.0's only). */
	F("ThreadStore", "FirstThreadLink", 0xa0),
	F("ThreadStore", "ThreadCount", 0xb8),
	F("ThreadStore", "UnstartedCount", 0xc0),
	F("ThreadStore", "BackgroundCount", 0xc4),
	F("ThreadStore", "PendingCount", 0xc8),
	F("ThreadStore", "DeadCount", 0xcc),
	/* 12 handle types: HNDTYPE_WEAK_SHORT..HNDTYPE_WEAK_NATIVE_COM (0..9),
	 * one unused, and the data-block type 11; HNDF_EXTRAINFO for variable,
	 * dependent, sizedref, weak native COM. Seen as HandleTable.pSegmentList
	 * at +48 = align8(12 * 4) and the back pointers at +2000. */
	G("HandleMaxInternalTypes", 12),
	G("HandleExtraInfoTypes", 0x350),
	F("HandleTable", "SegmentList", 48),
	HANDLE_TABLE_ROWS,
	G("CFinalizeFillPointersLength", 7),
	F("CFinalize", "FillPointers", 0),
	/* MethodDesc and MethodDescChunk (method.hpp), as the 9.0 descriptor
	 * publishes them: checked on 18,889 MethodDescs against the DAC. */
	F("MethodDesc", "Flags3AndTokenRemainder", 0),
	F("MethodDesc", "ChunkIndex", 2),
	F("MethodDescChunk", "!", 24),
	F("MethodDescChunk", "MethodTable", 0),
	F("MethodDescChunk", "FlagsAndTokenRange", 18),
	G("MethodDescAlignment", 8),
	G("MethodDescTokenRemainderBitCount", 12),
	PRECODE_DATA_ROWS,
	CODEMAP_8_9_ROWS,
	/* Statics (statics.c): Module.m_ModuleID (offset seen on the dumps:
	 * the DAC's ModuleID for all 134 modules), DomainLocalModule {
	 * m_pDomainAssembly, m_pDynamicClassTable, m_aDynamicEntries,
	 * m_pADThunkTable, m_pGCStatics, ... }, DynamicClassInfo {
	 * m_pDynamicEntry, m_dwFlags }, GenericsStaticsInfo { m_pFieldDescs,
	 * m_DynamicTypeID }, and the MethodTable's m_wNumVirtuals and
	 * m_pInterfaceMap (appdomain.hpp, methodtable.h). */
	F("Module", "ModuleID", 0x4c8),
	F("DomainLocalModule", "DynamicClassTable", 8),
	F("DomainLocalModule", "DynamicEntries", 16),
	F("DomainLocalModule", "GCStatics", 32),
	F("DynamicClassInfo", "!", 16),
	F("DynamicClassInfo", "Flags", 8),
	F("GenericsStaticsInfo", "DynamicTypeID", 8),
	F("MethodTable", "NumVirtuals", 0x0c),
	F("MethodTable", "InterfaceMap", 0x38),
	/* The sync table (dacvars.h g_pSyncTable: the g_dacTable entry, 80, found
	 * on the locks fixture as the one whose entries point back at the locked
	 * objects; no other entry does),
	 * its entry size and the header's sync block value (syncblk.h
	 * SyncBlockValueToObjectOffset: the low word of the 8-byte ObjHeader). */
	D("SyncTableEntries", 80), F("SyncTableEntry", "!", 16), F("SyncTableEntry", "SyncBlock", 0),
	G("SyncBlockValueToObjectOffset", 4),
	SYNC_ROWS,
	F("AwareLock", "HoldingThread", 8),
	F("Thread", "DebugBlockingInfo", 1192), /* found as on 10.0 */
	/* Stacks: Thread::m_pFrame after m_State and m_fPreemptiveGCDisabled;
	 * Module::m_pReadyToRunInfo (the field that points at the module's
	 * ReadyToRunInfo, null on a module of no ReadyToRun code); the vtables
	 * of the Frames (g_dacTable entries: the vptr_list.h order, the kinds
	 * named by ClrMD on the stacks fixture's threads). */
	F("Thread", "Frame", 0x10),
	F("Module", "ReadyToRunInfo", 1152),
	/* An IL stub's name: MethodDesc::m_wFlags (its classification) as 9.0
	 * publishes it; DynamicMethodDesc::m_pszMethodName after StoredSigMethodDesc's
	 * m_pSig, m_cSig and m_dwExtendedFlags on 8.0's 8-byte MethodDesc (found on
	 * the stacks fixture's P/Invoke stub: "IL_STUB_PInvoke"). */
	F("MethodDesc", "Flags", 6),
	F("DynamicMethodDesc", "MethodName", 24),
	/* InstantiatedMethodDesc after that 8-byte MethodDesc: { union of
	 * m_pDictLayout and m_pWrappedMethodDesc; m_pPerInstInfo; m_wFlags2;
	 * m_wNumGenericArgs } (method.hpp; found on the stacks fixture's
	 * Generic<int>.Wait<long>: classification 5, one argument, Int64). */
	F("InstantiatedMethodDesc", "PerInstInfo", 16),
	F("InstantiatedMethodDesc", "NumGenericArgs", 26),
	STACK_8_9_ROWS,
	D("DebuggerU2MCatchHandlerFrameIdentifier", 126),
	D("HelperMethodFrameIdentifier", 129),
	D("HelperMethodFrame_1OBJIdentifier", 130),
	D("InlinedCallFrameIdentifier", 135),
	/* The loaded assemblies: AppDomain::m_Assemblies, an ArrayList of
	 * DomainAssembly* whose m_pAssembly is the first field; Assembly's
	 * m_pModule and Module's m_pAssembly; PEImage's SString m_path (the
	 * buffer of its SBuffer, after m_size, m_allocation and m_flags); the
	 * binder through PEAssembly::m_pHostAssembly, BINDER_SPACE::Assembly's
	 * m_binder (appdomain.hpp, domainassembly.h, assembly.hpp, ceeload.h,
	 * peimage.h, peassembly.h, assemblybinder/assembly.hpp). Found on the
	 * modules fixture of 8.0.34: its 14 assemblies (AppDomain.GetAssemblies)
	 * in the list, each Module pointing back, each path the file mapped,
	 * each binder its AssemblyLoadContext's _nativeAssemblyLoadContext. */
	F("AppDomain", "DomainAssemblyList", 2544),
	ARRAYLIST_ROWS,
	F("DomainAssembly", "Assembly", 0),
	F("Assembly", "Module", 24),
	F("Module", "Assembly", 296),
	F("PEImage", "PathBuffer", 16),
	F("PEAssembly", "HostAssembly", 56),
	F("BinderAssembly", "Binder", 32),
};

/* The x64 FixupPrecode and StubPrecode of 8.0 and 9.0 (their runtimes publish
 * no PrecodeMachineDescriptor): the templates in libcoreclr's .text
 * (amd64/thunktemplates.S; FixupPrecodeCode at file offset 0x49edd2 of 8.0.34,
 * 0x4c4e4e of 9.0.23), their rip-relative loads reaching the data one 16 KiB
 * page on; a method's StubPrecode has type 0x4C (precode.h StubPrecode::Type).
 * Every precode of the 8.0.34 and 9.0.23 dumps matched, and its MethodDesc
 * was the DAC's. */
static const struct rt_lay_precode precode_8_9 = {
	.page = 0x4000,
	.fixup_len = 24,
	.stub_len = 24,
	.stub_type = 0x4c,
	.fixup = {0xff, 0x25, 0xfa, 0x3f, 0x00, 0x00, 0x4c, 0x8b, 0x15, 0xfb, 0x3f, 0x00, 0x00,
		  0xff, 0x25, 0xfd, 0x3f, 0x00, 0x00},
	.fixup_ign = {[19] = 1, 1, 1, 1, 1},
	.stub = {0x4c, 0x8b, 0x15, 0xf9, 0x3f, 0x00, 0x00, 0xff, 0x25, 0xfb, 0x3f, 0x00, 0x00},
	.stub_ign = {[13] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
};

/* What the 9.0 descriptor (29 types, 22 globals) lacks. The structures are
 * those of 10.0 where not said otherwise; 9.0-era ceeload.h of
 * elinor-fung/runtime 2efeea66 for Module; every row checked against the
 * 9.0.23 DAC on the fixture dumps (docs/layouts.md). */
static const struct lay_row net9[] = {
	D("SystemDomain", 22), /* ThreadStore is entry 16, as on 8.0 */
	F("MethodTable", "!", 64),
	F("MethodTable", "AuxiliaryData", 32),
	F("EEClass", "FieldDescList", 24),
	F("EEClass", "BaseSizePadding", 49),
	F("EEClass", "NumInstanceFields", 50),
	F("EEClass", "NumStaticFields", 54),
	F("EEClass", "NumThreadStaticFields", 58),
	F("GenericsDictInfo", "NumDicts", 4),
	F("Module", "PEAssembly", 280),
	F("Module", "AvailableTypeParams", 808),
	F("ModuleLookupMap", "Next", 0),
	F("ModuleLookupMap", "Count", 16),
	F("ModuleLookupMap", "SupportedFlagsMask", 24),
	F("EETypeHashTable", "Buckets", 16),
	F("EETypeHashTable", "Count", 24),
	F("EETypeHashTable", "VolatileEntryValue", 0),
	F("EETypeHashTable", "VolatileEntryNextEntry", 8),
	F("PEAssembly", "PEImage", 8),
	F("PEImage", "LoadedImageLayout", 120),
	F("PEImageLayout", "Base", 8),
	F("PEImageLayout", "Size", 16),
	F("PEImageLayout", "Flags", 20),
	F("FieldDesc", "!", 16),
	F("FieldDesc", "MTOfEnclosingClass", 0),
	F("FieldDesc", "DWord1", 8),
	F("FieldDesc", "DWord2", 12),
	/* DynamicStaticsInfo { GCStatics, NonGCStatics, MethodTable } just before
	 * the auxiliary data; the low bit of a base marks "not initialized". */
	F("DynamicStaticsInfo", "!", 24),
	F("DynamicStaticsInfo", "GCStatics", 0),
	F("DynamicStaticsInfo", "NonGCStatics", 8),
	G("StaticsPointerMask", 0xfffffffffffffffeull),
	/* Thread statics as 10.0 publishes them (threadstatics.h ThreadLocalData
	 * { int cNonCollectibleTlsData; int cCollectibleTlsData; PTR_Object
	 * pNonCollectibleTlsArrayData; ... }, methodtable.h ThreadStaticsInfo {
	 * TLSIndex NonGCTlsIndex, GCTlsIndex; GenericsStaticsInfo }), and
	 * Thread::m_ThreadLocalDataPtr, found on the locks fixture as the
	 * field pointing at a ThreadLocalData whose pThread (at 24) is the
	 * Thread. */
	F("Thread", "ThreadLocalDataPtr", 928),
	F("ThreadStaticsInfo", "!", 40),
	F("ThreadStaticsInfo", "NonGCTlsIndex", 0),
	F("ThreadStaticsInfo", "GCTlsIndex", 4),
	F("ThreadLocalData", "NonCollectibleTlsDataCount", 0),
	F("ThreadLocalData", "CollectibleTlsDataCount", 4),
	F("ThreadLocalData", "NonCollectibleTlsArrayData", 8),
	F("ThreadLocalData", "CollectibleTlsArrayData", 16),
	G("PtrArrayOffsetToDataArray", 16),
	G("NumberOfTlsOffsetsNotUsedInNoncollectibleArray", 2),
	/* 12 handle types: 8.0's and the weak interior pointer (10, PR #100446),
	 * which keeps user data; no cross-reference type yet. */
	G("HandleMaxInternalTypes", 12),
	G("HandleExtraInfoTypes", 0x750),
	F("HandleTable", "SegmentList", 48),
	HANDLE_TABLE_ROWS,
	G("CFinalizeFillPointersLength", 7),
	F("CFinalize", "FillPointers", 0),
	PRECODE_DATA_ROWS,
	CODEMAP_8_9_ROWS,
	/* System.Threading.Lock as on 10.0. */
	G("LockIsLockedMask", 1), G("LockWaiterCountShift", 7), G("LockOwnerIsOSThreadId", 1),
	/* 8.0 and 9.0 keep the holder's Thread, m_HoldingThread.
	 * Thread::DebugBlockingInfo found as on 10.0. */
	SYNC_ROWS,
	F("AwareLock", "HoldingThread", 8),
	F("Thread", "DebugBlockingInfo", 1032),
	/* Stacks as on 8.0 (Thread.Frame is the descriptor's); two more vtables
	 * before the Frames' in g_dacTable. */
	F("Module", "ReadyToRunInfo", 984),
	STACK_8_9_ROWS,
	D("DebuggerU2MCatchHandlerFrameIdentifier", 128),
	D("HelperMethodFrameIdentifier", 131),
	D("InlinedCallFrameIdentifier", 137),
	/* The loaded assemblies as on 8.0 (AppDomain::m_Assemblies of
	 * DomainAssembly*, the binder through the host assembly); Module.Path
	 * and Module.Assembly from the descriptor. Found on the modules fixture
	 * of 9.0.23 as there: its 21 assemblies. */
	F("AppDomain", "DomainAssemblyList", 1824),
	ARRAYLIST_ROWS,
	F("DomainAssembly", "Assembly", 0),
	F("Assembly", "Module", 16),
	F("PEAssembly", "HostAssembly", 56),
	F("BinderAssembly", "Binder", 32),
};

/* What the 11.0 descriptor (with its GC sub-descriptor) does not publish
 * (read at dotnet/runtime main; checked on 11.0.0 = 297acf9 against its DAC,
 * workstation and server). */
static const struct lay_row net11[] = {
	/* System.Threading.Lock (Lock.cs): _owningThreadId is the managed id
	 * from 11.0 ("cDAC depends on exact name"); _state as on 10.0. */
	G("LockIsLockedMask", 1), G("LockWaiterCountShift", 7), G("LockOwnerIsOSThreadId", 0),
	/* objecthandle.cpp s_rgTypeFlags, as on 10.0; HandleTableMap.dwMaxIndex
	 * and HandleTableBucket.HandleTableIndex as on 10.0. */
	G("HandleExtraInfoTypes", 0xf50),
	F("HandleTableMap", "MaxIndex", 16),
	F("HandleTableBucket", "HandleTableIndex", 8),
};

/* An arm64 ldr (literal) of Xt from pc + off (A64: LDR (literal), 64-bit). */
static void put_ldr_literal(uint8_t *at, unsigned xt, uint32_t off)
{
	uint32_t insn = 0x58000000u | ((off / 4) & 0x7ffff) << 5 | xt;

	for (int i = 0; i < 4; i++)
		at[i] = (uint8_t)(insn >> (8 * i));
}

static void put_insn(uint8_t *at, uint32_t insn)
{
	for (int i = 0; i < 4; i++)
		at[i] = (uint8_t)(insn >> (8 * i));
}

#define A64_BR_X10 0xd61f0140u
#define A64_BR_X11 0xd61f0160u

/* The arm64 FixupPrecode and StubPrecode of 9.0 (arm64/thunktemplates.S):
 * libcoreclr 9.0.23 carries one template per data page distance, 16, 32 and
 * 64 KiB (FixupPrecodeCode16384 at file offset 0x49c4c4, ...), and the
 * runtime takes the one of max(page size, 16 KiB). FixupPrecode:
 * ldr x11, Target; br x11; ldr x12, MethodDesc; ldr x11, PrecodeFixupThunk;
 * br x11. StubPrecode: ldr x10, Target; ldr x12, SecretParam; br x10, its
 * type the code's first byte (precode.h StubPrecode::Type 0x4A, as 0x4C is
 * x64's). The data (FixupPrecodeData, StubPrecodeData) are x64's. */
static void precode_9_arm64(uint32_t page, struct rt_lay_precode *p)
{
	*p = (struct rt_lay_precode){.page = page, .fixup_len = 20, .stub_len = 12, .stub_type = 0x4a};
	put_ldr_literal(p->fixup, 11, page);	    /* data + 0 from +0 */
	put_insn(p->fixup + 4, A64_BR_X11);
	put_ldr_literal(p->fixup + 8, 12, page);    /* data + 8 from +8 */
	put_ldr_literal(p->fixup + 12, 11, page + 4); /* data + 16 from +12 */
	put_insn(p->fixup + 16, A64_BR_X11);
	put_ldr_literal(p->stub, 10, page + 8);	    /* data + 8 from +0 */
	put_ldr_literal(p->stub + 4, 12, page - 4); /* data + 0 from +4 */
	put_insn(p->stub + 8, A64_BR_X10);
}

/* What differs from net9 on linux-arm64 9.0.23. The PAL's CRITICAL_SECTION
 * is 8 bytes larger on arm64 (pal.h PAL_CS_NATIVE_DATA_SIZE), so each Crst
 * a structure holds moves what follows it: Module has one before
 * m_pPEAssembly and three before m_pAvailableParamTypes (measured against
 * the 9.0.23 x64 dumps, field by field). */
static const struct lay_row net9_arm64[] = {
	F("Module", "PEAssembly", 288),
	F("Module", "AvailableTypeParams", 832),
	/* Found on the arm64 locks fixture as on x64 (1032 and 928 there). */
	F("Thread", "DebugBlockingInfo", 1072),
	F("Thread", "ThreadLocalDataPtr", 968),
	/* Stacks: Module::m_pReadyToRunInfo and the ReadyToRunInfo's HashMap
	 * further on (a Crst before each), found as on x64; arm64's
	 * RUNTIME_FUNCTION { BeginAddress, UnwindData }. The Frames' vtables are
	 * the same g_dacTable entries as on x64. */
	F("Module", "ReadyToRunInfo", 1016),
	F("ReadyToRunInfo", "EntryPointToMethodDescMap", 440),
	F("RuntimeFunction", "!", 8),
	F("RuntimeFunction", "UnwindData", 4),
	/* The AppDomain's assembly list, found on the arm64 modules fixture as
	 * on x64 (1824 there; its 16 assemblies' Modules point back, the host
	 * assembly's binder at the same offsets). */
	F("AppDomain", "DomainAssemblyList", 1912),
};

/* What differs from net10 on linux-arm64 10.0.12: Thread::DebugBlockingInfo,
 * found on the arm64 locks fixture as on x64 (the Thread holds more before
 * it there: the PAL's larger CRITICAL_SECTION, as on 9.0). */
static const struct lay_row net10_arm64[] = {
	F("Thread", "DebugBlockingInfo", 712),
};

static const struct lay_line lines[] = {
	{.name = "8.0", .prefix = "8.0.", ROWS(net8), .precode = &precode_8_9},
	{.name = "9.0",
	 .prefix = "9.0.",
	 ROWS(net9),
	 .precode = &precode_8_9,
	 .arm64 = true,
	 .arm64_rows = net9_arm64,
	 .narm64_rows = sizeof(net9_arm64) / sizeof(net9_arm64[0]),
	 .arm64_precode = precode_9_arm64},
	/* 10.0 and 11.0 describe their precode stubs; their rows hold on both
	 * but for the one 10.0 keeps apart. */
	{.name = "10.0",
	 .prefix = "10.0.",
	 ROWS(net10),
	 .arm64 = true,
	 .arm64_rows = net10_arm64,
	 .narm64_rows = sizeof(net10_arm64) / sizeof(net10_arm64[0])},
	{.name = "11.0", .prefix = "11.0.", ROWS(net11), .arm64 = true},
};

const struct lay_line *lay_line_find(const char *v)
{
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		if (!strncmp(v, lines[i].prefix, strlen(lines[i].prefix)))
			return &lines[i];
	return NULL;
}
