import BenchCore
import Testing

@Suite struct HyperparameterTests {
    let c = Hyperparameter("C", .real(minimum: 0, inclusive: false, maximum: .infinity), default: .real(5), help: "penalty")
    let trees = Hyperparameter("trees", .integer(1 ... 10_000), default: .integer(100), help: "trees")
    let layers = Hyperparameter("layers", .integerList(1 ... 4096), default: .integerList([256, 128]), help: "sizes")

    @Test func parsesValidValues() throws {
        #expect(try c.parse("0.5", owner: "svm") == .real(0.5))
        #expect(try trees.parse(" 12 ", owner: "forest") == .integer(12))
        #expect(try layers.parse("64,32", owner: "mlp") == .integerList([64, 32]))
        let flag = Hyperparameter("augment", .boolean, default: .boolean(false), help: "")
        #expect(try flag.parse("true", owner: "cnn") == .boolean(true))
        #expect(try flag.parse("off", owner: "cnn") == .boolean(false))
    }

    @Test func rejectsWithScikitLearnStyleMessages() {
        #expect(throws: ConfigurationError("The 'C' parameter of svm must be > 0. Got '-1' instead.")) {
            try c.parse("-1", owner: "svm")
        }
        #expect(throws: ConfigurationError("The 'trees' parameter of forest must be an integer. Got '1.5' instead.")) {
            try trees.parse("1.5", owner: "forest")
        }
        #expect(throws: ConfigurationError("The 'trees' parameter of forest must be in 1...10000. Got '0' instead.")) {
            try trees.parse("0", owner: "forest")
        }
        #expect(throws: ConfigurationError.self) { try c.parse("nan", owner: "svm") }
        #expect(throws: ConfigurationError.self) { try layers.parse("64,,32", owner: "mlp") }
    }

    @Test func settingsKeepDeclarationOrderAndOverrides() throws {
        var settings = HyperparameterSettings(owner: "forest", parameters: [c, trees])
        try settings.set("trees", .integer(7))
        #expect(settings.entries.map(\.name) == ["C", "trees"])
        #expect(settings.integer("trees") == 7)
        #expect(settings.real("C") == 5)
        #expect(settings.entries.map(\.value) == ["5", "7"])
        try settings.set("C", text: "0.25")
        #expect(settings.real("C") == 0.25)
    }

    @Test func settingsRejectWhatTheCommandLineRejects() {
        var settings = HyperparameterSettings(owner: "forest", parameters: [c, trees])
        #expect(throws: ConfigurationError("The 'trees' parameter of forest must be in 1...10000. Got '0' instead.")) {
            try settings.set("trees", .integer(0))
        }
        #expect(throws: ConfigurationError("The 'C' parameter of forest must be > 0. Got '-2' instead.")) {
            try settings.set("C", .real(-2))
        }
        #expect(throws: ConfigurationError.self) { try settings.set("depth", .integer(3)) }
        #expect(throws: ConfigurationError.self) { try settings.set("trees", text: "many") }
        #expect(settings.integer("trees") == 100, "a rejected value leaves the old one")
    }
}

@Suite struct ModelArchiveTests {
    @Test func readsBackWhatWasPut() throws {
        var archive = ModelArchive(inputHeight: 2, inputWidth: 3, classCount: 4)
        archive.put("w", floats: [1, 2.5])
        archive.put("k", integer: 7)
        archive.put("r", real: 0.1)
        archive.put("kind", text: "rbf")
        archive.put("bytes", pixels: [0, 1, Float(128) / 255])
        archive.put("floats", pixels: [0, 0.5])
        #expect(try archive.floats("w", count: 2) == [1, 2.5])
        #expect(try archive.integer("k", in: 0 ... 10) == 7)
        #expect(try archive.real("r") == 0.1)
        #expect(try archive.text("kind") == "rbf")
        #expect(try archive.array("bytes") == .uint8([0, 255, 128]), "exact byte pixels are stored as bytes")
        #expect(try archive.pixels("bytes") == [0, 1, Float(128) / 255])
        #expect(try archive.array("floats") == .float32([0, 0.5]), "other values stay floats")
        #expect(try archive.pixels("floats", count: 2) == [0, 0.5])
    }

    @Test func namesWhatIsMissingOrWrong() {
        var archive = ModelArchive(inputHeight: 1, inputWidth: 1, classCount: 2)
        archive.put("w", floats: [1, 2])
        archive.put("k", integer: 70)
        #expect(throws: ModelArchiveError("the array 'v' is missing")) { try archive.floats("v") }
        #expect(throws: ModelArchiveError("the array 'w' has 2 values; 3 expected")) { try archive.floats("w", count: 3) }
        #expect(throws: ModelArchiveError("the array 'w' holds float32; float64 expected")) { try archive.doubles("w") }
        #expect(throws: ModelArchiveError("the array 'k' holds 70, outside 0...10")) { try archive.integer("k", in: 0 ... 10) }
        #expect(throws: ModelArchiveError.self) { try archive.text("kind") }
    }
}
