import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import GongzhiCore
import GongzhiGeo

/// libFuzzer's entry: the readers of untrusted input, each fed the fuzzer's bytes, must never
/// crash, hang or accept what they must refuse. Under libFuzzer (`scripts/fuzz` builds with
/// `-sanitize=fuzzer -D FUZZING`) it is called with generated inputs; otherwise `Replay` below
/// feeds it files. The first byte picks the reader, so one corpus covers them all.
///
/// Checked beyond "no crash": text the strict JSON reader accepts is also JSON to Foundation's
/// reader; text `TextRule` accepts holds no control character but line breaks and tabs; a form
/// decodes to the same pairs after encoding them again; any text written as Open311's XML is
/// read back by an XML parser as that text.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard count > 0 else { return 0 }
    let selector = start[0]
    let bytes = Array(UnsafeBufferPointer(start: start + 1, count: count - 1))
    let text = String(decoding: bytes, as: UTF8.self)
    switch selector % 7 {
    case 0:
        if (try? StrictJSON.check(bytes)) != nil {
            let parsed = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
            if parsed == nil, !bytes.contains(where: { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) {
                fatalError("StrictJSON accepted what Foundation cannot read: \(bytes)")
            }
        }
    case 1:
        _ = try? CSV.records(text)
    case 2:
        _ = try? GeoJSON.features(Data(bytes))
    case 3:
        _ = try? GeoJSON.geometry(text)
    case 5:
        if let pairs = try? FormEncoding.pairs(text) {
            let allowed = CharacterSet.alphanumerics.subtracting(CharacterSet(charactersIn: "+&=%"))
            let encode = { (s: String) in s.addingPercentEncoding(withAllowedCharacters: allowed) ?? "" }
            let again = pairs.map { k, v in encode(k) + "=" + encode(v) }.joined(separator: "&")
            guard let back = try? FormEncoding.pairs(again), back.map(\.0) == pairs.map(\.0), back.map(\.1) == pairs.map(\.1) else {
                fatalError("a form did not survive encoding again: \(pairs)")
            }
        }
    case 6:
        xmlRoundTrip(text)
    default:
        for shape in [TextRule.Shape.line, .multiline] {
            if let accepted = try? TextRule.checked(text, field: "f", max: 50, shape: shape) {
                let allowed: Set<UInt32> = shape == .multiline ? [0x09, 0x0A] : []
                let control = { (s: Unicode.Scalar) in (s.value < 0x20 || (0x7F...0x9F).contains(s.value)) && !allowed.contains(s.value) }
                if accepted.unicodeScalars.contains(where: control) {
                    fatalError("TextRule accepted a control character: \(Array(accepted.unicodeScalars))")
                }
                if accepted.count > 50 || accepted.utf8.count > 200 { fatalError("TextRule accepted more than its limit") }
            }
        }
    }
    return 0
}

/// Open311's XML text read back: what a parser sees is the text, with what XML cannot carry as
/// U+FFFD and line ends as XML normalises them.
func xmlRoundTrip(_ text: String) {
    final class Collect: NSObject, XMLParserDelegate {
        var text = ""
        func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }
    }
    let document = "<?xml version=\"1.0\" encoding=\"utf-8\"?><a>" + Markup.xmlText(text) + "</a>"
    let parser = XMLParser(data: Data(document.utf8))
    let collect = Collect()
    parser.delegate = collect
    guard parser.parse() else {
        fatalError("Open311's XML of \(Array(text.unicodeScalars)) does not parse: \(String(describing: parser.parserError))")
    }
    var expected = String.UnicodeScalarView()
    var afterCR = false
    for u in text.unicodeScalars {
        let fit = !((u.value < 0x20 && u != "\t" && u != "\n" && u != "\r") || (0xFFFE...0xFFFF).contains(u.value))
        if u == "\r" { expected.append("\n") } else if !(u == "\n" && afterCR) { expected.append(fit ? u : "\u{FFFD}") }
        afterCR = u == "\r"
    }
    if collect.text != String(expected) { fatalError("Open311's XML read back differs: \(Array(text.unicodeScalars))") }
}

#if FUZZING
/// libFuzzer's driver, called from the program's entry: SwiftPM links an executable's `main` to
/// `<module>_main`, so libFuzzer's own `main` is never used.
@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
               _ test: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

@_cdecl("gongzhi_fuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc, arguments = argv
    return runDriver(&count, &arguments) { fuzz($0, $1) }
}
#else
/// Without libFuzzer: `gongzhi-fuzz FILE…` runs each file through the same checks, so a crash
/// libFuzzer found stays a regression test (and the corpus replays in any build).
@main
struct Replay {
    static func main() {
        var n = 0
        for path in CommandLine.arguments.dropFirst() {
            let data = FileManager.default.contents(atPath: path) ?? Data()
            let bytes = [UInt8](data)
            _ = bytes.withUnsafeBufferPointer { fuzz($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count) }
            n += 1
        }
        print("gongzhi-fuzz: replayed \(n) inputs without a failure")
    }
}
#endif
