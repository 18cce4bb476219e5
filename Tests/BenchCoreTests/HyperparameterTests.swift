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

    @Test func settingsKeepDeclarationOrderAndOverrides() {
        var settings = HyperparameterSettings(defaults: [c, trees])
        settings.set("trees", .integer(7))
        #expect(settings.entries.map(\.name) == ["C", "trees"])
        #expect(settings.integer("trees") == 7)
        #expect(settings.real("C") == 5)
        #expect(settings.entries.map(\.value) == ["5", "7"])
    }
}
