import BenchCLI
import Testing

@Suite struct OptionParsingTests {
    @Test func parsesEveryOption() throws {
        let options = try BenchOptions.parse(["--algo", "softmax", "--folds", "3", "--seed=7", "--jobs", "2", "--train-size", "500",
                                              "--data", "d", "--out", "o", "--set", "softmax.l2=0.5", "--quiet"])
        #expect(options.algorithms == ["softmax"])
        #expect(options.folds == 3 && options.seed == 7 && options.jobs == 2 && options.trainSize == 500)
        #expect(options.data == "d" && options.out == "o" && options.quiet)
        #expect(options.settings.count == 1 && options.settings[0].parameter == "l2" && options.settings[0].value == "0.5")
        let classifiers = try options.configuredClassifiers()
        #expect(classifiers.count == 1)
        #expect(classifiers[0].settings.real("l2") == 0.5)
    }

    @Test func defaultsAreSane() throws {
        let options = try BenchOptions.parse(["--all"])
        #expect(options.folds == 5 && options.out == "results" && options.data == nil && options.jobs >= 1)
        #expect(try options.configuredClassifiers().count == registeredClassifiers.count)
    }

    @Test(arguments: [
        (["--fold", "3"], "Did you mean '--folds'?"),
        (["--algo", "softmx"], "Did you mean 'softmax'?"),
        (["--algo", "softmax", "--set", "softmax.l3=1"], "Did you mean 'softmax.l2'?"),
        (["--algo", "softmax", "--set", "softmax.l2=-1"], "The 'l2' parameter of softmax must be >= 0. Got '-1' instead."),
        (["--algo", "softmax", "--set", "softmax"], "'--set' takes ALGO.PARAM=VALUE"),
        (["--folds", "1", "--all"], "must be 0 (no cross-validation) or at least 2"),
        (["--jobs", "zero", "--all"], "The value of '--jobs' must be an integer. Got 'zero' instead."),
        (["--algo"], "Missing value for '--algo NAME[,NAME...]'."),
        (["--seed", "-3", "--all"], "'--seed' must be a non-negative integer"),
        (["softmax"], "Unexpected argument 'softmax'."),
        ([], "Choose what to run"),
        (["--all", "--algo", "softmax"], "either '--all' or '--algo'"),
        (["--list=yes"], "'--list' takes no value."),
    ])
    func mistakesGetAClearMessage(arguments: [String], message: String) {
        do {
            _ = try BenchOptions.parse(arguments).configuredClassifiers()
            Issue.record("accepted \(arguments)")
        } catch {
            #expect(error.message.contains(message), "\(arguments): got \(error.message)")
        }
    }

    @Test func helpHasTheUsualSectionsAndEveryOption() {
        let help = BenchOptions.helpText
        for section in ["OVERVIEW:", "USAGE:", "OPTIONS:", "EXAMPLES:", "EXIT STATUS:"] { #expect(help.contains(section)) }
        for option in ["--all", "--algo", "--folds", "--seed", "--jobs", "--train-size", "--data", "--out", "--set", "--list", "--kernels", "--help", "--version"] {
            #expect(help.contains(option), "help lacks \(option)")
        }
    }

    @Test func listShowsEveryHyperparameterWithItsDefault() {
        let list = BenchOptions.listText
        for type in registeredClassifiers {
            for parameter in type.allHyperparameters {
                #expect(list.contains("\(type.name).\(parameter.name)"))
                #expect(list.contains("default: \(parameter.defaultValue)"))
            }
        }
    }

    @Test func suggestionsNeedACloseMatch() {
        #expect(editDistance("kitten", "sitting") == 3)
        #expect(suggestion(for: "frest", among: ["forest", "knn"]) == "forest")
        #expect(suggestion(for: "zzzzzz", among: ["forest", "knn"]) == nil)
    }
}
