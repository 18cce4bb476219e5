import Foundation
import BenchCore
import Dispatch

/// A kernel support vector machine (C-SVC; Cortes and Vapnik, "Support-vector networks",
/// Machine Learning 20, 1995), trained by SMO with second-order working-set selection
/// (``SMOSolver``), one-vs-one over every pair of classes with voting, as libsvm does
/// (Chang and Lin, "LIBSVM: a library for support vector machines", ACM TIST 2(3), 2011).
///
/// The 45 binary problems of MNIST run in parallel, each on one thread with its own row
/// cache; they all read the training images from one class-sorted, GEMM-packed copy
/// (``ClassSortedTraining``). Nothing is random, so `seed` is unused, and every pair's
/// arithmetic is the same whatever the thread count.
public struct KernelSVM: Classifier {
    public static let name = "svm"
    public static let title = "Kernel SVM (SMO)"
    public static let hyperparameters: [Hyperparameter] = [
        Hyperparameter("C", .real(minimum: 0, inclusive: false, maximum: .infinity), default: .real(5),
                       help: "box constraint: the cost of a margin violation"),
        Hyperparameter("kernel", .choice(["rbf", "linear", "polynomial"]), default: .choice("rbf"),
                       help: "rbf exp(-gamma |x-z|^2), linear x.z, polynomial (gamma x.z + coef0)^degree"),
        Hyperparameter("gamma", .real(minimum: 0, inclusive: false, maximum: .infinity), default: .real(0.05),
                       help: "kernel width (rbf) or scale (polynomial), on pixels scaled to 0-1"),
        Hyperparameter("degree", .integer(degrees), default: .integer(3), help: "polynomial kernel's degree"),
        Hyperparameter("coef0", .real(minimum: -.infinity, inclusive: false, maximum: .infinity), default: .real(0),
                       help: "polynomial kernel's constant term"),
        Hyperparameter("tolerance", .real(minimum: 0, inclusive: false, maximum: 1), default: .real(1e-3),
                       help: "stop when the largest KKT violation is below this (libsvm's eps)"),
        Hyperparameter("maxIterations", .integer(1 ... 1_000_000_000), default: .integer(10_000_000),
                       help: "SMO iterations per class pair before giving up (reported when reached)"),
        Hyperparameter("cacheMB", .integer(1 ... 1_048_576), default: .integer(1024),
                       help: "kernel values one fit keeps, in MiB: half for the row caches of the pairs solved at once, half shared between pairs"),
        Hyperparameter("rowBlock", .integer(1 ... 4096), default: .integer(64),
                       help: "kernel rows computed per GEMM on a cache miss"),
        Hyperparameter("virtualShift", .integer(0 ... 3), default: .integer(0),
                       help: "0: one fit; d > 0: fit, then fit again on the support vectors and their copies moved d pixels "
                           + "right, left, down and up (virtual support vectors)"),
    ]

    /// The polynomial kernel's degrees: the range of the `degree` setting, and of a model file's.
    static let degrees = 1 ... 10

    public let settings: HyperparameterSettings
    /// The box constraint.
    public let C: Double
    /// The kernel the settings name, with its parameters in single precision as it is evaluated.
    public let kernel: KernelFunction
    /// Stop when the largest KKT violation is below this.
    public let tolerance: Double
    /// SMO iterations per class pair before giving up.
    public let maxIterations: Int
    /// Kernel values one fit keeps, in MiB.
    public let cacheMB: Int
    /// Kernel rows computed per GEMM on a cache miss.
    public let rowBlock: Int
    /// 0 for one fit; otherwise the distance in pixels of the virtual support vectors' shifts.
    public let virtualShift: Int

    /// A configuration from complete settings, each value already checked against its
    /// declaration by ``HyperparameterSettings/set(_:_:)``.
    /// - Throws: ``ConfigurationError`` when `settings` belong to another classifier.
    public init(settings: HyperparameterSettings = KernelSVM.defaultSettings) throws(ConfigurationError) {
        try Self.checkOwnership(of: settings)
        self.settings = settings
        C = settings.real("C")
        let gamma = Float(settings.real("gamma"))
        switch settings.choice("kernel") {
        case "linear": kernel = .linear
        case "polynomial": kernel = .polynomial(gamma: gamma, coef0: Float(settings.real("coef0")), degree: settings.integer("degree"))
        default: kernel = .rbf(gamma: gamma)
        }
        tolerance = settings.real("tolerance")
        maxIterations = settings.integer("maxIterations")
        cacheMB = settings.integer("cacheMB")
        rowBlock = settings.integer("rowBlock")
        virtualShift = settings.integer("virtualShift")
    }

    var solver: SMOSolver.Configuration {
        SMOSolver.Configuration(C: C, tolerance: tolerance, maxIterations: maxIterations)
    }

    /// Solves every pair of classes present; with `virtualShift` d > 0, does so twice: the
    /// second time on the first fit's support vectors and four copies of each moved by d pixels
    /// (the virtual support vector method: Schölkopf, Burges and Vapnik, "Incorporating
    /// invariances in support vector learning machines", ICANN 1996; DeCoste and Schölkopf,
    /// "Training invariant support vector machines", Machine Learning 46, 2002; LeCun's MNIST
    /// table lists their virtual SVM on deskewed images at 0.56% error, against 1.1% for a plain
    /// degree-4 polynomial SVM on deskewed images). The support vectors carry all the
    /// first fit knows, so the second fit sees 5 × (support vectors) images instead of the
    /// 5 × (training images) that shifting every image would give.
    /// - Returns: The model, and as diagnostics each pair's solve (table `pairs`) and totals.
    /// - Throws: ``FitError`` when fewer than two classes have images.
    /// Measured on full MNIST, two cores: 19 s. SMO grows faster than linearly in the images
    /// (about n^1.6 here); prediction is proportional to support vectors × scored images. With
    /// `virtualShift` (measured on deskewed MNIST): the second fit, on the support vectors and
    /// their shifts (60,675 images, most of them support vectors again), takes about four times
    /// the first (46 s against 11.4 s), and the model has about three times the support vectors
    /// (38,238 against 12,135).
    public func estimatedSeconds(_ work: WorkSize) -> Double {
        let n = work.trainingScale
        let (fitFactor, predictFactor) = virtualShift > 0 ? (5.0, 3.0) : (1.0, 1.0)
        return work.pixelScale * (15 * fitFactor * pow(n, 1.6) + 4 * predictFactor * n * work.scoringScale)
    }

    public func fit(_ training: LabeledImages, seed: UInt64, context: ExecutionContext) throws -> FitResult {
        let first = try solveAll(training, context: context)
        guard virtualShift > 0 else { return first.result }
        let members = first.supportVectorIndices
        let shifts = [PixelShift.none] + PixelShift.fourWays(virtualShift)
        let images = training.images.translated(members, by: shifts)
        let labels = shifts.flatMap { _ in members.map { training.labels[$0] } }
        context.report("virtual support vectors: \(members.count) support vectors and their \(shifts.count - 1) shifts "
                       + "by \(virtualShift) pixel(s), \(labels.count) images")
        let second = try solveAll(LabeledImages(images: images, labels: labels, classCount: training.classCount), context: context)
        var diagnostics = second.result.diagnostics
        diagnostics.facts.insert(Fact("virtual support vectors",
            "first fit on \(training.count) images: \(members.count) support vectors, \(String(format: "%.1f", first.seconds)) s; "
            + "refitted on them and their shifts by \(virtualShift) pixel(s) right, left, down and up (\(labels.count) images)"), at: 0)
        return FitResult(model: second.result.model, diagnostics: diagnostics)
    }

    /// One fit: every pair of classes present solved on `training`.
    private func solveAll(_ training: LabeledImages, context: ExecutionContext) throws -> SolvedPairs {
        let start = DispatchTime.now()
        let present = training.classCounts.indices.filter { training.classCounts[$0] > 0 }
        guard present.count >= 2 else {
            throw FitError("svm: needs images of at least two classes; got \(present.count)")
        }
        let sorted = ClassSortedTraining(training, threads: context.threads)
        let problems = present.indices.flatMap { k in
            present[(k + 1)...].map { BinaryProblem(positive: present[k], negative: $0, training: sorted) }
        }
        // Largest problems first, so that the last ones to finish are short (the order of
        // work does not change any result).
        let schedule = problems.indices.sorted { (-problems[$0].size, $0) < (-problems[$1].size, $1) }
        let concurrent = min(context.threads, problems.count)
        // Half the budget for the pieces of rows shared between pairs, half for the pairs' own caches.
        let cacheBytes = cacheMB * 1_048_576
        let shared = OwnClassRows(images: sorted.count, slotWidth: present.map(sorted.count(of:)).max() ?? 1, budget: cacheBytes / 2)
        let budget = cacheBytes / 2 / concurrent
        // Each pair's cache memory, handed on to the next pair.
        let pool = RowStoragePool()
        let totalWork = problems.reduce(0.0) { $0 + work($1) }
        let finished = Locked<(count: Int, work: Double)>((0, 0))
        context.report("\(problems.count) class pairs, \(sorted.count) images, \(concurrent) at a time, "
                       + "\(budget / 1_048_576) MiB of kernel rows each and \(cacheBytes / 2 / 1_048_576) MiB shared")

        let solved = parallelMap(problems.count, threads: concurrent) { k -> BinarySolution in
            let problem = problems[schedule[k]]
            let result = problem.solve(training: sorted, kernel: kernel, solver: solver, budget: budget, block: rowBlock,
                                       shared: shared, pool: pool)
            let (count, done) = finished.withLock { state in
                state.count += 1
                state.work += work(problem)
                return state
            }
            let elapsed = Stopwatch.seconds(since: start)
            let note = result.solution.reachedIterationCap ? " (stopped at the iteration cap, gap \(String(format: "%.3g", result.solution.gap)))" : ""
            context.report("pair \(problem.positive) vs \(problem.negative): \(result.supportVectors) support vectors, "
                           + "\(result.solution.iterations) iterations, \(String(format: "%.1f", result.seconds)) s\(note); "
                           + "\(count)/\(problems.count) pairs, \(String(format: "%.0f", elapsed)) s elapsed, "
                           + "about \(String(format: "%.0f", elapsed / done * (totalWork - done))) s left")
            return result
        }
        var byProblem = [BinarySolution?](repeating: nil, count: problems.count)
        for (k, result) in solved.enumerated() { byProblem[schedule[k]] = result }
        let solutions = byProblem.compactMap { $0 }
        let model = SVMModel(kernel: kernel, training: sorted, solutions: solutions, classCount: training.classCount,
                             inputHeight: training.images.height, inputWidth: training.images.width)
        let result = FitResult(model: model, diagnostics: Diagnostics(svm: model, solutions: solutions.map(PairSummary.init),
                                                                      cacheBudget: cacheBytes, shared: shared.statistics))
        // The training images with α > 0 in some pair, in training-set order.
        var isMember = [Bool](repeating: false, count: training.count)
        for solved in solutions {
            for (t, alpha) in solved.solution.alpha.enumerated() where alpha > 0 {
                isMember[sorted.order[solved.problem.sortedIndex(t, in: sorted)]] = true
            }
        }
        return SolvedPairs(result: result, supportVectorIndices: isMember.indices.filter { isMember[$0] },
                           seconds: Stopwatch.seconds(since: start))
    }

    /// The model `archive` holds (see ``SVMModel/encode(into:)``), every index and count checked.
    /// - Throws: ``ModelArchiveError`` when an array is missing or inconsistent, a pair names a
    ///   class outside the model's, or an active column is out of order or outside the image.
    public func decodeModel(_ archive: ModelArchive) throws(ModelArchiveError) -> any FittedClassifier {
        try SVMModel(decoding: archive)
    }
}

/// One fit's model and diagnostics, with what a second, virtual-support-vector fit needs.
private struct SolvedPairs {
    let result: FitResult
    /// Training-set indices of the support vectors of any pair, increasing.
    let supportVectorIndices: [Int]
    let seconds: Double
}

/// A problem's expected share of the fit, for the time-left estimate: SMO's cost grows with
/// the number of samples times the number of iterations, roughly the square of the size.
private func work(_ problem: BinaryProblem) -> Double {
    Double(problem.size) * Double(problem.size)
}
