//===- EditPlanTest.cpp - Option rules, edit order, in-memory edits -------===//

#include "ModuleBuilder.h"
#include "wasm-rpath/EditPlan.h"
#include "wasm-rpath/Error.h"
#include "wasm-rpath/Reader.h"
#include "gtest/gtest.h"

using namespace llvm;
using namespace wasmrpath;
using namespace wasmrpath::testing;

namespace {

std::string errorText(Error E) { return toString(std::move(E)); }

bool noWasmFiles(StringRef) { return false; }

std::string sideModule(const std::string &Subsections) {
  return preamble() + custom("dylink.0", Subsections) + body();
}

TEST(EditPlanTest, SecondOperationConflictsInCommandLineOrder) {
  EditPlan P;
  ASSERT_TRUE(succeeded(P.addRPathOperation(RPathOp::Add, "--add-rpath")));
  Error E = P.addRPathOperation(RPathOp::Remove, "--remove-rpath");
  EXPECT_EQ(errorText(std::move(E)),
            "--add-rpath and --remove-rpath cannot be used together");
  // Giving the same operation twice is not a conflict.
  EXPECT_TRUE(succeeded(P.addRPathOperation(RPathOp::Add, "--add-rpath")));
}

TEST(EditPlanTest, ConflictErrorsCarryTheUsageCode) {
  EditPlan P;
  ASSERT_TRUE(succeeded(P.addRPathOperation(RPathOp::Set, "--set-rpath")));
  Error E = P.addRPathOperation(RPathOp::Shrink, "--shrink-rpath");
  std::error_code EC = errorToErrorCode(std::move(E));
  EXPECT_EQ(EC, make_error_code(errc::invalid_argument));
}

TEST(EditPlanTest, VerbatimEntriesAloneSetThePath) {
  EditPlan P;
  P.addRPathEntries({"/a:b"}, "--rpath-entry");
  ASSERT_TRUE(succeeded(P.finalize()));
  EXPECT_EQ(P.operation(), RPathOp::Set);
}

TEST(EditPlanTest, VerbatimEntriesCannotGoWithRemoveOrShrink) {
  for (auto [Op, Name] : {std::pair{RPathOp::Remove, "--remove-rpath"},
                          std::pair{RPathOp::Shrink, "--shrink-rpath"}}) {
    EditPlan P;
    ASSERT_TRUE(succeeded(P.addRPathOperation(Op, Name)));
    P.addRPathEntries({"/x"}, "--rpath-entry");
    EXPECT_EQ(errorText(P.finalize()),
              std::string("--rpath-entry cannot be used with ") + Name);
  }
}

TEST(EditPlanTest, AllowedPrefixesNeedShrink) {
  EditPlan P;
  P.setAllowedPrefixes({"/usr"}, "--allowed-rpath-prefixes");
  EXPECT_EQ(errorText(P.finalize()),
            "--allowed-rpath-prefixes requires --shrink-rpath");
}

TEST(EditPlanTest, BadValuesAreRefusedBeforeAnyFile) {
  EditPlan P;
  P.addNeeded(StringRef("a\0b", 3));
  EXPECT_EQ(errorText(P.finalize()), "NEEDED name contains a NUL byte");
  EditPlan Q;
  Q.replaceNeeded("liba.so", "");
  EXPECT_EQ(errorText(Q.finalize()), "empty NEEDED name");
}

TEST(EditPlanTest, OutputRules) {
  EXPECT_EQ(errorText(checkOutputOptions("o.so", true, 1)),
            "--in-place cannot be used with --output");
  EXPECT_EQ(errorText(checkOutputOptions("", false, 0)), "no input files");
  EXPECT_EQ(errorText(checkOutputOptions("o.so", false, 2)),
            "--output requires exactly one input file");
  EXPECT_TRUE(succeeded(checkOutputOptions("", true, 3)));
}

TEST(EditPlanTest, AppliesInPatchelfOrder) {
  // Remove, then rename, then add: renaming liba to libc and adding liba
  // leaves both, and removing libc before the rename does not touch the
  // renamed entry.
  std::string M = sideModule(memInfo() + subsection(2, strVec({"liba.so"})));
  Expected<Object> Obj = readObject(bytes(M));
  ASSERT_TRUE(succeeded(Obj));
  EditPlan P;
  P.removeNeeded("libc.so");
  P.replaceNeeded("liba.so", "libc.so");
  P.addNeeded("liba.so");
  ASSERT_TRUE(succeeded(P.finalize()));
  ASSERT_TRUE(succeeded(P.apply(*Obj, noWasmFiles)));
  EXPECT_EQ(Obj->Dylink->Needed,
            (std::vector<std::string>{"libc.so", "liba.so"}));
}

TEST(EditPlanTest, ApplyRefusesModulesWithoutDylink) {
  std::string M = preamble() + body();
  Expected<Object> Obj = readObject(bytes(M));
  ASSERT_TRUE(succeeded(Obj));
  EditPlan P;
  EXPECT_EQ(errorToErrorCode(P.apply(*Obj, noWasmFiles)),
            make_error_code(errc::not_shared_library));
}

TEST(EditPlanTest, BufferEditWritesTheEditedModule) {
  std::string M = sideModule(memInfo() + subsection(2, strVec({"libb.so"})));
  EditPlan P;
  P.addRPathEntries({"$ORIGIN"});
  ASSERT_TRUE(succeeded(P.addRPathOperation(RPathOp::Set, "--set-rpath")));
  ASSERT_TRUE(succeeded(P.finalize()));
  P.setPlace(RPathPlace::Dylink);
  std::string Out;
  raw_string_ostream OS(Out);
  Expected<bool> Changed = editModuleBuffer(
      bytes(M), [&](Object &O) { return P.apply(O, noWasmFiles); }, OS);
  ASSERT_TRUE(succeeded(Changed));
  EXPECT_TRUE(*Changed);
  EXPECT_EQ(Out, sideModule(memInfo() + subsection(2, strVec({"libb.so"})) +
                            subsection(5, strVec({"$ORIGIN"}))));
}

TEST(EditPlanTest, BufferEditThatChangesNothingWritesTheInput) {
  // Padded sizes would be lost by a re-encoding: a no-op keeps them.
  std::string M = sideModule(memInfo() + subsection(2, strVec({"libb.so"}), 5));
  std::string Out;
  raw_string_ostream OS(Out);
  Expected<bool> Changed = editModuleBuffer(
      bytes(M), [](Object &O) { return removeNeeded(O, {"libz.so"}); }, OS);
  ASSERT_TRUE(succeeded(Changed));
  EXPECT_FALSE(*Changed);
  EXPECT_EQ(Out, M);
}

TEST(EditPlanTest, BufferEditErrorsWriteNothing) {
  std::string Out;
  raw_string_ostream OS(Out);
  Expected<bool> R = editModuleBuffer(
      bytes(std::string("\x7f" "ELF\2\1\1\0", 8)),
      [](Object &) { return Error::success(); }, OS);
  ASSERT_FALSE(R);
  EXPECT_EQ(errorToErrorCode(R.takeError()), make_error_code(errc::malformed));
  EXPECT_TRUE(Out.empty());
}

} // namespace
