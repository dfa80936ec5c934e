//===- RPathEdit.cpp - Edits of run-time path and NEEDED ------------------===//
//
// The edits of RPathEdit.h. They change the decoded lists of the model only;
// the writer decides from the difference what to re-encode.
//
//===----------------------------------------------------------------------===//

#include "wasm-rpath/RPathEdit.h"
#include "wasm-rpath/Error.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/ConvertUTF.h"
#include "llvm/Support/Path.h"

using namespace llvm;

namespace wasmrpath {

namespace {

Error requireSharedLibrary(const Object &Obj) {
  if (Obj.isSharedLibrary())
    return Error::success();
  return makeNotSharedLibraryError();
}

/// Stores \p Entries in the places selected. An empty list means "absent".
Error assignRPath(Object &Obj, std::vector<std::string> Entries,
                  RPathPlace Place) {
  if (Error E = requireSharedLibrary(Obj))
    return E;
  if (includesDylink(Place)) {
    DylinkInfo &Info = *Obj.Dylink;
    // A legacy module has no RUNTIME_PATH, which is what an empty list
    // asks for: only a non-empty one needs a place it does not have.
    if (Info.IsLegacy && !Entries.empty())
      return makeError(errc::unsupported,
                       "the legacy 'dylink' section has no place for a "
                       "run-time path; relink with LLVM 13 or later, or keep "
                       "the path in rpath.0 only");
    ArrayRef<std::string> Old =
        Info.RuntimePath ? ArrayRef(*Info.RuntimePath) : ArrayRef<std::string>();
    if (!Info.IsLegacy && Old != ArrayRef(Entries)) {
      if (Entries.empty())
        Info.RuntimePath.reset();
      else
        Info.RuntimePath = Entries;
    }
  }
  if (includesRPathSection(Place)) {
    ArrayRef<std::string> Old = Obj.RPathSection ? ArrayRef(*Obj.RPathSection)
                                                 : ArrayRef<std::string>();
    if (Old != ArrayRef(Entries)) {
      if (Entries.empty())
        Obj.RPathSection.reset();
      else
        Obj.RPathSection = std::move(Entries);
    }
  }
  return Error::success();
}

Error checkEntries(ArrayRef<std::string> Entries, StringRef What) {
  for (const std::string &E : Entries)
    if (Error Err = checkEntry(E, What))
      return Err;
  return Error::success();
}

} // namespace

Error checkEntry(StringRef Entry, StringRef What) {
  if (Entry.empty())
    return makeError(errc::invalid_argument, "empty " + What);
  if (Entry.contains('\0'))
    return makeError(errc::invalid_argument, What + " contains a NUL byte");
  const UTF8 *Begin = reinterpret_cast<const UTF8 *>(Entry.begin());
  if (!isLegalUTF8String(&Begin, reinterpret_cast<const UTF8 *>(Entry.end())))
    return makeError(errc::invalid_argument, What + " is not valid UTF-8");
  return Error::success();
}

Error setRPath(Object &Obj, ArrayRef<std::string> Entries, RPathPlace Place) {
  if (Error E = checkEntries(Entries, "run-time path entry"))
    return E;
  return assignRPath(Obj, Entries.vec(), Place);
}

Error addRPath(Object &Obj, ArrayRef<std::string> Entries, RPathPlace Place) {
  if (Error E = checkEntries(Entries, "run-time path entry"))
    return E;
  std::vector<std::string> Result = getRPath(Obj, Place);
  for (const std::string &Entry : Entries)
    if (!is_contained(Result, Entry))
      Result.push_back(Entry);
  return assignRPath(Obj, std::move(Result), Place);
}

Error removeRPath(Object &Obj, RPathPlace Place) {
  // A legacy module has no RUNTIME_PATH to remove; that is not an error.
  if (Obj.Dylink && Obj.Dylink->IsLegacy) {
    if (Place == RPathPlace::Dylink)
      return Error::success();
    Place = RPathPlace::RPathSection;
  }
  return assignRPath(Obj, {}, Place);
}

namespace {

/// Below this many names still to find, a directory is probed name by name;
/// from it on, it is listed once, and only the names it holds are probed.
constexpr size_t ListingThreshold = 16;

} // namespace

/// A directory that cannot be listed gives std::nullopt; shrinkRPath() then
/// probes each name, as a directory that may be searched but not read
/// still serves lookups. One that does not exist gives an empty listing.
std::optional<StringSet<>> listDirectory(StringRef Dir) {
  StringSet<> Names;
  std::error_code EC;
  sys::fs::directory_iterator I(Dir, EC, /*FollowSymlinks=*/false), End;
  // A directory that does not exist (or is not a directory) provides
  // nothing: an empty listing, so that no name is probed in it.
  if (EC == std::errc::no_such_file_or_directory ||
      EC == std::errc::not_a_directory)
    return Names;
  for (; I != End && !EC; I.increment(EC))
    Names.insert(sys::path::filename(I->path()));
  if (EC)
    return std::nullopt;
  return Names;
}

Error shrinkRPath(Object &Obj, RPathPlace Place,
                  ArrayRef<std::string> AllowedPrefixes,
                  WasmFileProbe IsWasmModule,
                  DirectoryLister ListDirectory) {
  if (Error E = requireSharedLibrary(Obj))
    return E;
  // The NEEDED names that a directory may provide, and those not yet found
  // in an earlier one: each is looked for until it is found.
  StringSet<> Remaining;
  for (const std::string &Name : Obj.Dylink->Needed)
    if (!StringRef(Name).contains('/'))
      Remaining.insert(Name);
  // Each directory is judged once, however often it is listed.
  StringMap<bool> Judged;
  std::vector<std::string> Result;
  for (const std::string &Dir : getRPath(Obj, Place)) {
    // As patchelf does: entries that are not absolute ($ORIGIN/..., or
    // relative to the loader's working directory) cannot be checked here.
    if (!StringRef(Dir).starts_with("/")) {
      Result.push_back(Dir);
      continue;
    }
    if (!AllowedPrefixes.empty() &&
        none_of(AllowedPrefixes, [&](const std::string &Prefix) {
          return StringRef(Dir).starts_with(Prefix);
        }))
      continue;
    auto [It, New] = Judged.try_emplace(Dir, false);
    if (!New) {
      // A repeated entry provides nothing its first occurrence did not.
      continue;
    }
    // Probing every remaining name in every directory costs entries x
    // NEEDED lookups; with many of both, listing each directory once and
    // probing only the names it holds keeps the cost near the size of the
    // lists and of the directories.
    std::optional<StringSet<>> Listing;
    if (Remaining.size() >= ListingThreshold)
      Listing = ListDirectory(Dir);
    std::vector<std::string> Found;
    for (const auto &Name : Remaining) {
      if (Listing && !Listing->contains(Name.getKey()))
        continue;
      SmallString<256> Candidate(Dir);
      sys::path::append(Candidate, sys::path::Style::posix, Name.getKey());
      if (IsWasmModule(Candidate))
        Found.push_back(Name.getKey().str());
    }
    for (const std::string &Name : Found)
      Remaining.erase(Name);
    if (!Found.empty()) {
      It->second = true;
      Result.push_back(Dir);
    }
  }
  return assignRPath(Obj, std::move(Result), Place);
}

Error addNeeded(Object &Obj, ArrayRef<std::string> Names) {
  if (Error E = requireSharedLibrary(Obj))
    return E;
  if (Error E = checkEntries(Names, "NEEDED name"))
    return E;
  DylinkInfo &Info = *Obj.Dylink;
  for (const std::string &Name : Names)
    if (!is_contained(Info.Needed, Name))
      Info.Needed.push_back(Name);
  return Error::success();
}

Error removeNeeded(Object &Obj, ArrayRef<std::string> Names) {
  if (Error E = requireSharedLibrary(Obj))
    return E;
  erase_if(Obj.Dylink->Needed,
           [&](const std::string &N) { return is_contained(Names, N); });
  return Error::success();
}

Error replaceNeeded(Object &Obj,
                    ArrayRef<std::pair<std::string, std::string>> Renames) {
  if (Error E = requireSharedLibrary(Obj))
    return E;
  for (const auto &Rename : Renames)
    if (Error E = checkEntry(Rename.second, "NEEDED name"))
      return E;
  std::vector<std::string> &Needed = Obj.Dylink->Needed;
  // As patchelf does, only the entries named Old change, each in place:
  // no entry is dropped or merged, so a list that names a library twice
  // keeps both places (wasm-vips' [jxl, resvg, heif, jxl, resvg, heif]).
  // Renames apply in order (a -> b, then b -> c makes a c), and the cost is
  // linear: the renames move sets of the list's distinct names from one
  // current name to another (the smaller set into the larger one), and the
  // list is rewritten once at the end.
  StringMap<std::vector<StringRef>> Holders; // current name -> original names
  for (const std::string &Name : Needed) {
    auto [It, New] = Holders.try_emplace(Name);
    if (New)
      It->second.push_back(StringRef(Name));
  }
  bool Any = false;
  for (const auto &[Old, New] : Renames) {
    if (Old == New)
      continue;
    auto It = Holders.find(Old);
    if (It == Holders.end())
      continue;
    std::vector<StringRef> Moved = std::move(It->second);
    Holders.erase(It);
    std::vector<StringRef> &Into = Holders[New];
    if (Into.size() < Moved.size())
      std::swap(Into, Moved);
    Into.insert(Into.end(), Moved.begin(), Moved.end());
    Any = true;
  }
  if (!Any)
    return Error::success();
  StringMap<StringRef> Final; // original name -> final name
  for (const auto &Entry : Holders)
    for (StringRef Original : Entry.second)
      if (Original != Entry.getKey())
        Final[Original] = Entry.getKey();
  std::vector<std::string> Result;
  Result.reserve(Needed.size());
  for (const std::string &Name : Needed) {
    auto It = Final.find(Name);
    Result.push_back(It == Final.end() ? Name : It->second.str());
  }
  Needed = std::move(Result);
  return Error::success();
}

Error replaceNeeded(Object &Obj, StringRef Old, StringRef New) {
  std::pair<std::string, std::string> One(Old.str(), New.str());
  return replaceNeeded(Obj, ArrayRef(One));
}

} // namespace wasmrpath
