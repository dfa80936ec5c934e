//===- EditPlanTest.cpp - Option rules, edit order, in-memory edits -------===//

#include "Edit/Strip.h"
#include "ModuleBuilder.h"
#include "Object/Writer.h"
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

/// The parts a conflict names, or a failure description.
std::string conflictParts(Error E) {
  std::string Out = "no conflict";
  handleAllErrors(
      std::move(E),
      [&](const PlanConflictError &C) {
        Out = std::to_string(int(C.kind())) + ":" +
              std::to_string(int(C.first())) + "," +
              std::to_string(int(C.second()));
      },
      [&](const ErrorInfoBase &EI) { Out = "other: " + EI.message(); });
  return Out;
}

std::string parts(PlanConflictError::Kind K, PlanPart A, PlanPart B) {
  return std::to_string(int(K)) + ":" + std::to_string(int(A)) + "," +
         std::to_string(int(B));
}

TEST(EditPlanTest, SecondOperationConflictsInCallOrder) {
  EditPlan P;
  ASSERT_TRUE(succeeded(P.addRPath({"/a"})));
  EXPECT_EQ(conflictParts(P.removeRPath()),
            parts(PlanConflictError::Kind::Exclusive, PlanPart::AddRPath,
                  PlanPart::RemoveRPath));
  // Giving the same operation twice is not a conflict; entries accumulate.
  EXPECT_TRUE(succeeded(P.addRPath({"/b"})));
  EXPECT_EQ(P.rpathEntries().vec(), (std::vector<std::string>{"/a", "/b"}));
}

TEST(EditPlanTest, ConflictMessagesNameNoOption) {
  EditPlan P;
  ASSERT_TRUE(succeeded(P.setRPath({})));
  Error E = P.shrinkRPath();
  std::string Msg = toString(std::move(E));
  EXPECT_EQ(Msg, "setting the run-time path and shrinking the run-time path "
                 "cannot be combined");
  EXPECT_EQ(Msg.find("--"), std::string::npos);
}

TEST(EditPlanTest, ConflictErrorsCarryTheUsageCode) {
  EditPlan P;
  ASSERT_TRUE(succeeded(P.setRPath({"/x"})));
  Error E = P.shrinkRPath();
  std::error_code EC = errorToErrorCode(std::move(E));
  EXPECT_EQ(EC, make_error_code(errc::invalid_argument));
}

TEST(EditPlanTest, LooseEntriesAloneSetThePath) {
  EditPlan P;
  P.addRPathEntries({"/a:b"});
  ASSERT_TRUE(succeeded(P.finalize()));
  EXPECT_EQ(P.operation(), RPathOp::Set);
  EXPECT_EQ(P.rpathEntries().vec(), (std::vector<std::string>{"/a:b"}));
}

TEST(EditPlanTest, LooseEntriesJoinAnAdd) {
  EditPlan P;
  ASSERT_TRUE(succeeded(P.addRPath({"/a"})));
  P.addRPathEntries({"/b:c"});
  ASSERT_TRUE(succeeded(P.finalize()));
  EXPECT_EQ(P.operation(), RPathOp::Add);
  EXPECT_EQ(P.rpathEntries().vec(), (std::vector<std::string>{"/a", "/b:c"}));
}

TEST(EditPlanTest, LooseEntriesCannotGoWithRemoveOrShrink) {
  for (auto [Op, Part] : {std::pair{RPathOp::Remove, PlanPart::RemoveRPath},
                          std::pair{RPathOp::Shrink, PlanPart::ShrinkRPath}}) {
    EditPlan P;
    ASSERT_TRUE(succeeded(Op == RPathOp::Remove ? P.removeRPath()
                                                : P.shrinkRPath()));
    P.addRPathEntries({"/x"});
    EXPECT_EQ(conflictParts(P.finalize()),
              parts(PlanConflictError::Kind::Exclusive, PlanPart::RPathEntries,
                    Part));
  }
}

TEST(EditPlanTest, AllowedPrefixesNeedShrink) {
  EditPlan P;
  P.setAllowedPrefixes({"/usr"});
  EXPECT_EQ(conflictParts(P.finalize()),
            parts(PlanConflictError::Kind::Requires, PlanPart::AllowedPrefixes,
                  PlanPart::ShrinkRPath));
  EditPlan Q;
  Q.setAllowedPrefixes({"/usr"});
  EXPECT_EQ(errorText(Q.finalize()), "allowed run-time path prefixes apply "
                                     "only when shrinking the run-time path");
  EditPlan R;
  ASSERT_TRUE(succeeded(R.shrinkRPath()));
  R.setAllowedPrefixes({"/usr"});
  EXPECT_TRUE(succeeded(R.finalize()));
}

TEST(EditPlanTest, BadValuesAreRefusedBeforeAnyFile) {
  EditPlan P;
  P.addNeeded(StringRef("a\0b", 3));
  EXPECT_EQ(errorText(P.finalize()), "NEEDED name contains a NUL byte");
  EditPlan Q;
  Q.replaceNeeded("liba.so", "");
  EXPECT_EQ(errorText(Q.finalize()), "empty NEEDED name");
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
  ASSERT_TRUE(succeeded(P.setRPath({"$ORIGIN"})));
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

TEST(EditPlanTest, StripKeepsWhatLoadersNeedAndEveryKeptByte) {
  std::string Head = preamble() +
                     custom("dylink.0", memInfo() +
                                            subsection(5, strVec({"$ORIGIN"})));
  std::string RPath0 = custom("rpath.0", strVec({"$ORIGIN"}));
  std::string Debug = custom(".debug_info", "xxxx");
  std::string Map = custom("sourceMappingURL", "a.map");
  std::string Name = custom("name", "n");
  std::string Prod = custom("producers", "p");
  std::string TF = custom("target_features", "t");
  std::string Types = section(1, std::string("\x01\x60\x00\x00", 4));
  std::string M = Head + RPath0 + Types + Debug + Map + Name + Prod + TF;
  auto Strip = [&](StripLevel L, std::vector<std::string> Keep) {
    EditPlan P;
    P.setStrip(L);
    for (const std::string &K : Keep)
      P.keepSection(K);
    EXPECT_TRUE(succeeded(P.finalize()));
    std::string Out;
    raw_string_ostream OS(Out);
    Expected<bool> Changed = editModuleBuffer(
        bytes(M), [&](Object &O) { return P.apply(O, noWasmFiles); }, OS);
    EXPECT_TRUE(succeeded(Changed));
    return Out;
  };
  EXPECT_EQ(Strip(StripLevel::Debug, {}),
            Head + RPath0 + Types + Name + Prod + TF);
  EXPECT_EQ(Strip(StripLevel::All, {}), Head + RPath0 + Types + TF);
  EXPECT_EQ(Strip(StripLevel::All, {"name", "rpath.0"}),
            Head + RPath0 + Types + Name + TF);
  // The count of bytes removed, and a second strip removes nothing.
  Expected<Object> Obj = readObject(bytes(M));
  ASSERT_TRUE(succeeded(Obj));
  EXPECT_EQ(stripSections(*Obj, StripLevel::All),
            Debug.size() + Map.size() + Name.size() + Prod.size());
  EXPECT_EQ(stripSections(*Obj, StripLevel::All), 0u);
  EXPECT_TRUE(Obj->isModified());
  // dylink.0 and rpath.0 are never stripped, whatever is asked.
  EXPECT_FALSE(isStrippedSection("dylink.0", StripLevel::All));
  EXPECT_FALSE(isStrippedSection("dylink", StripLevel::All));
  EXPECT_FALSE(isStrippedSection("rpath.0", StripLevel::All));
  EXPECT_TRUE(isStrippedSection("external_debug_info", StripLevel::Debug));
  EXPECT_FALSE(isStrippedSection("name", StripLevel::Debug));
}

TEST(EditPlanTest, KeptSectionsNeedAStrip) {
  EditPlan P;
  P.keepSection("name");
  EXPECT_EQ(conflictParts(P.finalize()),
            parts(PlanConflictError::Kind::Requires, PlanPart::KeepSections,
                  PlanPart::Strip));
  EditPlan Q;
  Q.setStrip(StripLevel::Debug);
  EXPECT_FALSE(Q.empty());
}

} // namespace
