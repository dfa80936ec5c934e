//===- JsonTest.cpp - Modules described as JSON ---------------------------===//

#include "wasm-rpath/Json.h"
#include "wasm-rpath/ModuleJson.h"
#include "ModuleBuilder.h"
#include "wasm-rpath/Reader.h"
#include "gtest/gtest.h"

using namespace llvm;
using namespace wasmrpath;
using namespace wasmrpath::testing;

namespace {

std::string render(const json::Value &V) {
  std::string S;
  raw_string_ostream OS(S);
  OS << V;
  return S;
}

TEST(JsonTest, StringsThatAreNotUTF8AreEscapedNotReplaced) {
  EXPECT_EQ(render(jsonString("lib\x1b.so")), "\"lib\\u001b.so\"");
  EXPECT_EQ(render(jsonString("caf\xc3\xa9.so")), "\"caf\xc3\xa9.so\"");
  // Invalid bytes become \xHH (as Display.h writes them), so two names
  // that differ only there stay different.
  EXPECT_EQ(render(jsonString("bad\xff.so")), "\"bad\\\\xFF.so\"");
  EXPECT_NE(render(jsonString("bad\xff.so")), render(jsonString("bad\xfe.so")));
}

TEST(JsonTest, DescribeModule) {
  std::string M = preamble() +
                  custom("dylink.0", memInfo() + subsection(2, strVec({"libb.so"}))) +
                  body();
  Expected<Object> Obj = readObject(bytes(M));
  ASSERT_TRUE(succeeded(Obj));
  EXPECT_EQ(render(json::Value(describeModule("x.so", *Obj))),
            "{\"dylink_section\":\"dylink.0\",\"file\":\"x.so\","
            "\"needed\":[\"libb.so\"],\"rpath.0\":null,\"runtime_path\":null}");
}

} // namespace
