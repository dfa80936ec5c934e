//===- python/src/module.cpp - The wasm_rpath._native extension module ----===//
//
// A thin pybind11 binding of the wasm-rpath library for the Python package
// (python/wasm_rpath). It converts arguments, calls the library and converts
// results; every rule (what an edit may combine, how a wheel is repaired,
// which module is a main module, what wasm-ldd reports) stays in the
// library. Three promises to the host interpreter:
//
//  * The GIL is released while the library works (reading, editing,
//    analysing a load set, repairing), so other Python threads run
//    meanwhile; nothing here touches Python objects while it is released.
//  * Library errors (llvm::Error) become wasm_rpath.Error with the message a
//    tool prints and the error code (Error.h); nothing exits or aborts.
//  * Nothing here installs signal handlers (and no tool start-up such as
//    InitLLVM runs): the host keeps its own.
//
// The project is built without exceptions; this file alone is compiled with
// them, because pybind11 reports errors to Python by throwing.
//
//===----------------------------------------------------------------------===//

#include "wasm-rpath/EditPlan.h"
#include "wasm-rpath/Error.h"
#include "wasm-rpath/FileIO.h"
#include "wasm-rpath/Glob.h"
#include "wasm-rpath/LoadSet.h"
#include "wasm-rpath/Reader.h"
#include "wasm-rpath/RPathEdit.h"
#include "wasm-rpath/Resolve.h"
#include "wasm-rpath/Symbols.h"
#include "wasm-rpath/Version.h"
#include "wasm-rpath/WheelRepair.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/GlobPattern.h"
#include "llvm/Support/JSON.h"

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace py = pybind11;
using namespace wasmrpath;

namespace {

/// What a library error becomes: wasm_rpath.Error(message, code, errno).
struct LibraryError {
  std::string Message;
  std::string Code;
  std::optional<int> Errno;
};

/// The name of an error code, as wasm_rpath.Error.code gives it.
std::string codeName(std::error_code EC, std::optional<int> &Errno) {
  if (EC.category() == wasmRPathCategory()) {
    switch (static_cast<errc>(EC.value())) {
    case errc::malformed:
      return "malformed";
    case errc::not_shared_library:
      return "not_shared_library";
    case errc::invalid_argument:
      return "invalid_argument";
    case errc::unsupported:
      return "unsupported";
    case errc::input_changed:
      return "input_changed";
    case errc::not_found:
      return "not_found";
    case errc::limit_exceeded:
      return "limit_exceeded";
    case errc::unsupported_file_kind:
      return "unsupported_file_kind";
    case errc::cannot_replace:
      return "cannot_replace";
    }
    // No default: a new code makes -Wswitch name this switch.
    return "error";
  }
  if (EC.category() == std::generic_category() ||
      EC.category() == std::system_category()) {
    Errno = EC.value();
    return "os_error";
  }
  return "error";
}

/// Converts \p E (which must be an error) as the tools print it: one line
/// per error, the code of the first.
LibraryError toLibraryError(llvm::Error E) {
  LibraryError R;
  bool First = true;
  llvm::handleAllErrors(std::move(E), [&](const llvm::ErrorInfoBase &EI) {
    R.Message += (R.Message.empty() ? "" : "\n") + EI.message();
    if (First)
      R.Code = codeName(EI.convertToErrorCode(), R.Errno);
    First = false;
  });
  return R;
}

/// wasm_rpath.Error, looked up when the module is imported.
py::object &errorClass() {
  static py::object *Class = nullptr;
  if (!Class)
    Class = new py::object(py::module_::import("wasm_rpath._error").attr("Error"));
  return *Class;
}

/// Raises \p E (with the GIL held).
[[noreturn]] void raise(LibraryError E) {
  py::object Exc = errorClass()(E.Message, E.Code,
                                E.Errno ? py::object(py::int_(*E.Errno))
                                        : py::object(py::none()));
  PyErr_SetObject(errorClass().ptr(), Exc.ptr());
  throw py::error_already_set();
}

/// Runs \p Work without the GIL; a library error it returns is raised once
/// the GIL is back.
template <typename Fn> void withoutGIL(Fn Work) {
  std::optional<LibraryError> Failure;
  {
    py::gil_scoped_release Release;
    if (llvm::Error E = Work())
      Failure = toLibraryError(std::move(E));
  }
  if (Failure)
    raise(std::move(*Failure));
}

/// The bytes a SideModule was read from: a mapped file, or a Python buffer
/// (bytes, bytearray, memoryview) that stays exported, so cannot be
/// resized, for as long as the SideModule lives. Never copied.
struct Source {
  std::unique_ptr<InputFile> File;
  std::unique_ptr<py::buffer_info> Buffer; // released with the GIL held
  py::object Owner;
  llvm::ArrayRef<uint8_t> data() const {
    if (File)
      return File->data();
    return llvm::ArrayRef<uint8_t>(static_cast<const uint8_t *>(Buffer->ptr),
                                   Buffer->size * Buffer->itemsize);
  }
};

/// The result of wasm_rpath.read(): the module's dynamic-linking data,
/// decoded at once, and its symbols, decoded on first use.
class SideModule {
public:
  std::optional<std::string> Path;
  std::string DylinkSection;
  std::vector<std::string> Needed;
  std::optional<std::vector<std::string>> RuntimePath;
  std::optional<std::vector<std::string>> RPath0;

  SideModule(std::unique_ptr<Source> S, Object O)
      : Src(std::move(S)), Obj(std::move(O)) {
    if (Obj.Dylink) {
      DylinkSection = Obj.Dylink->IsLegacy ? "dylink" : "dylink.0";
      Needed = Obj.Dylink->Needed;
      RuntimePath = Obj.Dylink->RuntimePath;
    }
    RPath0 = Obj.RPathSection;
  }

  ~SideModule() {
    // The buffer view must be released with the GIL held; the destructor
    // runs from Python's deallocation, which holds it.
    Src.reset();
  }

  /// Decodes the export and import sections once, without the GIL.
  const ModuleSymbols &symbols() {
    std::optional<LibraryError> Failure;
    {
      py::gil_scoped_release Release;
      std::call_once(SymbolsOnce, [&] {
        llvm::Expected<ModuleSymbols> S = readModuleSymbols(Obj);
        if (S)
          Symbols = std::move(*S);
        else
          SymbolsError = toLibraryError(
              Path ? llvm::createFileError(*Path, S.takeError())
                   : S.takeError());
      });
      if (SymbolsError)
        Failure = SymbolsError;
    }
    if (Failure)
      raise(std::move(*Failure));
    return Symbols;
  }

  std::vector<std::pair<std::string, std::string>> exports() {
    std::vector<std::pair<std::string, std::string>> R;
    for (const ExportedSymbol &E : symbols().Exports)
      R.emplace_back(E.Name, symbolKindName(E.Kind).str());
    return R;
  }

  std::vector<std::pair<std::string, std::string>> imports() {
    std::vector<std::pair<std::string, std::string>> R;
    for (const ImportedSymbol &I : symbols().Imports) {
      const char *Kind = I.Kind == ImportKind::Function ? "function"
                         : I.Kind == ImportKind::DataAddress
                             ? "data_address"
                             : "function_address";
      R.emplace_back(I.Name, Kind);
    }
    return R;
  }

  bool isMainModule() const { return wasmrpath::isMainModule(Obj); }
  uint64_t size() const { return Obj.InputSize; }

private:
  std::unique_ptr<Source> Src;
  Object Obj;
  std::once_flag SymbolsOnce;
  ModuleSymbols Symbols;
  std::optional<LibraryError> SymbolsError;
};

/// wasm_rpath.read(): \p Input is a path (str or os.PathLike, converted by
/// the Python wrapper to str) or a buffer.
std::unique_ptr<SideModule> readModule(py::object Input, bool SharedOnly) {
  auto S = std::make_unique<Source>();
  std::optional<std::string> Path;
  if (py::isinstance<py::str>(Input)) {
    Path = Input.cast<std::string>();
  } else if (PyObject_CheckBuffer(Input.ptr())) {
    S->Owner = Input;
    S->Buffer = std::make_unique<py::buffer_info>(
        py::reinterpret_borrow<py::buffer>(Input).request());
  } else {
    throw py::type_error("read() takes a path or a bytes-like object");
  }
  std::optional<Object> Obj;
  withoutGIL([&]() -> llvm::Error {
    if (Path) {
      llvm::Expected<std::unique_ptr<InputFile>> F = InputFile::open(*Path);
      if (!F)
        return llvm::createFileError(*Path, F.takeError());
      S->File = std::move(*F);
    }
    llvm::Expected<Object> O = readObject(S->data());
    if (!O)
      return Path ? llvm::createFileError(*Path, O.takeError())
                  : O.takeError();
    if (SharedOnly && !O->isSharedLibrary())
      return Path ? llvm::createFileError(*Path, makeNotSharedLibraryError())
                  : makeNotSharedLibraryError();
    Obj = std::move(*O);
    return llvm::Error::success();
  });
  auto M = std::make_unique<SideModule>(std::move(S), std::move(*Obj));
  M->Path = Path;
  return M;
}

using PathArg = std::variant<std::string, std::vector<std::string>>;

/// wasm_rpath.edit(): builds one EditPlan, as wasm-set-rpath does from its
/// options, and applies it with editModuleFile() (atomic; nothing written
/// when nothing changes and no output is given). Returns whether the module
/// changed.
bool editModule(const std::string &Path, std::optional<PathArg> SetRPath,
                std::optional<PathArg> AddRPath, bool RemoveRPath,
                std::vector<std::string> AddNeeded,
                std::vector<std::string> RemoveNeeded,
                std::vector<std::pair<std::string, std::string>> ReplaceNeeded,
                std::optional<std::string> Output, std::string Place) {
  bool Changed = false;
  withoutGIL([&]() -> llvm::Error {
    EditPlan Plan;
    // A string is a patchelf-style path; a list, entries stored verbatim.
    auto Entries = [](const PathArg &Value) {
      if (auto *S = std::get_if<std::string>(&Value))
        return splitSearchPath(*S);
      return std::get<std::vector<std::string>>(Value);
    };
    if (SetRPath)
      if (llvm::Error E = Plan.setRPath(Entries(*SetRPath)))
        return E;
    if (AddRPath)
      if (llvm::Error E = Plan.addRPath(Entries(*AddRPath)))
        return E;
    if (RemoveRPath)
      if (llvm::Error E = Plan.removeRPath())
        return E;
    std::optional<RPathPlace> P = parseRPathPlace(Place);
    if (!P)
      return makeError(errc::invalid_argument,
                       "invalid place '" + Place +
                           "' (expected 'dylink', 'rpath.0' or 'both')");
    Plan.setPlace(*P);
    for (const std::string &N : AddNeeded)
      Plan.addNeeded(N);
    for (const std::string &N : RemoveNeeded)
      Plan.removeNeeded(N);
    for (const auto &[Old, New] : ReplaceNeeded)
      Plan.replaceNeeded(Old, New);
    if (llvm::Error E = Plan.finalize())
      return E;
    return editModuleFile(
        Path,
        [&](Object &O) -> llvm::Error {
          if (llvm::Error E = Plan.apply(O, isWasmModuleFile))
            return E;
          Changed = O.isModified();
          return llvm::Error::success();
        },
        Output.value_or(""));
  });
  return Changed;
}

/// The options of wasm-auditwheel, as keyword arguments.
RepairOptions repairOptions(std::vector<std::string> LibDirs,
                            std::vector<std::string> Exclude,
                            std::vector<std::string> NoMangle, bool NoMangleAll,
                            std::string LibSdir, std::string Place, int Level,
                            std::optional<int64_t> SourceDateEpoch,
                            std::optional<std::string> MainModule,
                            std::string RecordCheck) {
  RepairOptions O;
  O.LibDirs = std::move(LibDirs);
  O.Exclude = std::move(Exclude);
  O.NoMangle = std::move(NoMangle);
  O.NoMangleAll = NoMangleAll;
  O.LibSdir = std::move(LibSdir);
  if (std::optional<RPathPlace> P = parseRPathPlace(Place))
    O.Place = *P;
  else
    raise({"invalid rpath_section '" + Place +
               "' (expected 'dylink', 'rpath.0' or 'both')",
           "invalid_argument", std::nullopt});
  O.Level = Level;
  O.SourceDateEpoch = SourceDateEpoch;
  O.MainModule = MainModule.value_or("");
  if (RecordCheck == "full")
    O.CheckAllHashes = true;
  else if (RecordCheck == "changed")
    O.CheckAllHashes = false;
  else
    raise({"invalid record_check '" + RecordCheck +
               "' (expected 'full' or 'changed')",
           "invalid_argument", std::nullopt});
  return O;
}

/// wheel.show() and wheel.repair(): the plan as wasm-auditwheel --json
/// prints it (a JSON text, which the Python side decodes).
std::string wheelPlan(const std::string &Wheel,
                      std::optional<std::string> Output,
                      const RepairOptions &Opts) {
  std::string Json;
  withoutGIL([&]() -> llvm::Error {
    if (llvm::Error E = checkRepairOptions(Opts))
      return E;
    llvm::Expected<std::unique_ptr<WheelFile>> W = WheelFile::open(Wheel);
    if (!W)
      return W.takeError();
    llvm::Expected<RepairPlan> Plan =
        Output ? repairWheel(**W, Opts, *Output) : analyzeWheel(**W, Opts);
    if (!Plan)
      return Plan.takeError();
    llvm::json::Value V = toJSON(*Plan);
    if (Output) {
      V.getAsObject()->try_emplace("output", *Output);
      V.getAsObject()->try_emplace("changed", Plan->changesWheel(**W));
    }
    Json = llvm::formatv("{0}", V).str();
    return llvm::Error::success();
  });
  return Json;
}

/// The options of wasm-ldd, as keyword arguments.
struct LddArgs {
  std::vector<std::string> Paths;
  std::string Loader;
  std::optional<std::string> Root;
  std::optional<std::string> MainModule;
  std::optional<std::string> MainGlue;
  std::optional<PathArg> LibraryPath;
  std::string RPathSection;
  std::optional<std::string> Cwd;
  std::vector<std::string> AllowDuplicate;
  bool AutoRoot = true;
  /// Each "[NAME=]FILE" (true) or a path (false).
  std::vector<std::pair<std::string, bool>> Preload;
};

/// wasm_rpath.ldd(): the document wasm-ldd --json prints, made by the same
/// library calls (LoadSet::create with the options the tool builds from its
/// command line, then LoadSet::toJSON), as JSON text that the Python side
/// decodes. A problem with one input is in the document, as in the tool's;
/// an error for the whole run (the root, the main module or its glue, an
/// argument) is raised.
std::string lddDocument(const LddArgs &A) {
  std::string Json;
  withoutGIL([&]() -> llvm::Error {
    // As the tool refuses a command line without inputs: an empty document
    // would say that everything resolves.
    if (A.Paths.empty())
      return makeError(errc::invalid_argument, "no input paths");
    LoadSetOptions LO;
    ResolveOptions &R = LO.Resolve;
    R.Rules = getLoaderRules(A.Loader);
    if (!R.Rules)
      return makeError(errc::invalid_argument,
                       "unknown loader '" + A.Loader + "' (expected " +
                           llvm::join(getLoaderNames(), ", ") + ")");
    R.Root = A.Root.value_or("/");
    R.Cwd = A.Cwd.value_or("");
    if (A.LibraryPath) {
      if (auto *S = std::get_if<std::string>(&*A.LibraryPath))
        R.LibraryPath = splitSearchPath(*S);
      else
        R.LibraryPath = std::get<std::vector<std::string>>(*A.LibraryPath);
    }
    std::optional<RPathPlace> P = parseRPathPlace(A.RPathSection);
    if (!P || *P == RPathPlace::Both)
      return makeError(errc::invalid_argument,
                       "invalid rpath_section '" + A.RPathSection +
                           "' (expected 'dylink' or 'rpath.0')");
    R.Place = *P;
    LO.AutoRoot = A.AutoRoot;
    LO.MainModule = A.MainModule.value_or("");
    LO.MainGlue = A.MainGlue.value_or("");
    for (const auto &[Spec, IsSpec] : A.Preload) {
      llvm::Expected<PreloadSpec> P =
          IsSpec ? parsePreloadSpec(Spec) : preloadSpecForFile(Spec);
      if (!P)
        return makeError(errc::invalid_argument,
                         "invalid preload " + llvm::toString(P.takeError()));
      LO.Preloads.emplace_back(std::move(P->Name), std::move(P->File));
    }
    // The document always has the hazards (wasm-ldd --json computes them).
    LO.FindHazards = true;
    llvm::Expected<GlobList> Allowed = GlobList::create(A.AllowDuplicate);
    if (!Allowed)
      return makeError(errc::invalid_argument,
                       "allow_duplicate: " +
                           llvm::toString(Allowed.takeError()));
    if (!Allowed->empty())
      LO.AllowDuplicate = [Allowed = *Allowed](llvm::StringRef Name) {
        return Allowed.match(Name);
      };
    llvm::Expected<std::unique_ptr<LoadSet>> S =
        LoadSet::create(A.Paths, std::move(LO));
    if (!S)
      return S.takeError();
    Json = llvm::formatv("{0}", llvm::json::Value((*S)->toJSON())).str();
    return llvm::Error::success();
  });
  return Json;
}

} // namespace

PYBIND11_MODULE(_native, M) {
  M.doc() = "The native binding of the wasm-rpath library (use the "
            "wasm_rpath package, not this module).";
  M.attr("__version__") = WASM_RPATH_VERSION;

  py::class_<SideModule>(M, "SideModule",
                         "A WebAssembly module's dynamic-linking data.")
      .def_readonly("path", &SideModule::Path,
                    "The file it was read from, or None for bytes.")
      .def_readonly("dylink_section", &SideModule::DylinkSection,
                    "'dylink.0', the legacy 'dylink', or '' for a module "
                    "without one.")
      .def_readonly("needed", &SideModule::Needed,
                    "The NEEDED libraries, in order.")
      .def_readonly("runtime_path", &SideModule::RuntimePath,
                    "RUNTIME_PATH of dylink.0 (what loaders search), or None "
                    "when the subsection is absent.")
      .def_readonly("rpath0", &SideModule::RPath0,
                    "The entries of the rpath.0 section, or None when absent.")
      .def_property_readonly("exports", &SideModule::exports,
                             "Symbols the module defines for the loader: "
                             "(name, 'function'|'data') in export order, "
                             "loader-internal names skipped.")
      .def_property_readonly("imports", &SideModule::imports,
                             "Symbols bound by name at load time: (name, "
                             "'function'|'data_address'|'function_address') "
                             "in import order, loader-internal names skipped.")
      .def_property_readonly("is_main_module", &SideModule::isMainModule,
                             "True for an emcc -sMAIN_MODULE module such as "
                             "pyodide.asm.wasm.")
      .def_property_readonly("size", &SideModule::size,
                             "The size of the input in bytes.");

  M.def("read", &readModule, py::arg("input"), py::arg("shared_only") = true);
  M.def("edit", &editModule, py::arg("path"), py::arg("set_rpath"),
        py::arg("add_rpath"), py::arg("remove_rpath"), py::arg("add_needed"),
        py::arg("remove_needed"), py::arg("replace_needed"), py::arg("output"),
        py::arg("place"));
  M.def("split_search_path", &splitSearchPath, py::arg("path"),
        "Splits a patchelf-style search path at ':' (empty pieces dropped).");
  M.def(
      "ldd",
      [](std::vector<std::string> Paths, std::string Loader,
         std::optional<std::string> Root, std::optional<std::string> MainModule,
         std::optional<std::string> MainGlue,
         std::optional<PathArg> LibraryPath, std::string RPathSection,
         std::optional<std::string> Cwd,
         std::vector<std::string> AllowDuplicate, bool AutoRoot,
         std::vector<std::pair<std::string, bool>> Preload) {
        return lddDocument({std::move(Paths), std::move(Loader),
                            std::move(Root), std::move(MainModule),
                            std::move(MainGlue), std::move(LibraryPath),
                            std::move(RPathSection), std::move(Cwd),
                            std::move(AllowDuplicate), AutoRoot,
                            std::move(Preload)});
      },
      py::arg("paths"), py::arg("loader"), py::arg("root"),
      py::arg("main_module"), py::arg("main_glue"), py::arg("library_path"),
      py::arg("rpath_section"), py::arg("cwd"), py::arg("allow_duplicate"),
      py::arg("auto_root"), py::arg("preload"),
      "The document of wasm-ldd --json, as JSON text.");
  M.def(
      "wheel_plan",
      [](const std::string &Wheel, std::optional<std::string> Output,
         std::vector<std::string> LibDirs, std::vector<std::string> Exclude,
         std::vector<std::string> NoMangle, bool NoMangleAll,
         std::string LibSdir, std::string Place, int Level,
         std::optional<int64_t> SourceDateEpoch,
         std::optional<std::string> MainModule, std::string RecordCheck) {
        RepairOptions O = repairOptions(
            std::move(LibDirs), std::move(Exclude), std::move(NoMangle),
            NoMangleAll, std::move(LibSdir), std::move(Place), Level,
            SourceDateEpoch, std::move(MainModule), std::move(RecordCheck));
        return wheelPlan(Wheel, std::move(Output), O);
      },
      py::arg("wheel"), py::arg("output"), py::arg("libdir"),
      py::arg("exclude"), py::arg("no_mangle"), py::arg("no_mangle_all"),
      py::arg("lib_sdir"), py::arg("rpath_section"), py::arg("level"),
      py::arg("source_date_epoch"), py::arg("main_module"),
      py::arg("record_check"));
}
