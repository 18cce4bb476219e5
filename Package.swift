// swift-tools-version:6.0
// A pure-Swift benchmark suite of classical machine-learning classifiers on MNIST.
// No package dependencies: the Swift 6 toolchain and the system zlib only.
import PackageDescription

// MARK: - Compiler settings

/// Hot loops are written on SIMD vectors. Without a named CPU target, the compiler lowers every
/// SIMD fused multiply-add to a scalar `fmaf` call (about 100x slower), so on x86-64 we target
/// x86-64-v3 (AVX2 + FMA). Other architectures keep the toolchain's default target.
#if arch(x86_64)
let optimised: [SwiftSetting] = [.unsafeFlags(["-Xcc", "-march=x86-64-v3"])]
#else
let optimised: [SwiftSetting] = []
#endif

let package = Package(
    name: "MNISTBench",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "bench", targets: ["bench"]),
    ],
    targets: [
        // MARK: - Public API: the command-line tool

        .executableTarget(name: "bench", dependencies: ["BenchCLI"], swiftSettings: optimised),

        // MARK: - Classifiers, one module each

        .target(name: "SoftmaxRegression", dependencies: ["BenchCore", "LinearAlgebra"], swiftSettings: optimised),
        .target(name: "KNearestNeighbors", dependencies: ["BenchCore", "LinearAlgebra"], swiftSettings: optimised),
        .target(name: "RandomForest", dependencies: ["BenchCore"], swiftSettings: optimised),
        .target(name: "ConvolutionalNetwork", dependencies: ["BenchCore", "NeuralNetwork"], swiftSettings: optimised),
        .target(name: "MultilayerPerceptron", dependencies: ["BenchCore", "NeuralNetwork"], swiftSettings: optimised),
        .target(name: "KernelSVM", dependencies: ["BenchCore", "LinearAlgebra"], swiftSettings: optimised),

        // MARK: - Implementation details

        /// The `Classifier` protocol, feature and label types, seeded randomness, parallel-for.
        .target(name: "BenchCore", swiftSettings: optimised),
        /// Dense single-precision matrix multiplication (packed, blocked, SIMD) and its reference.
        .target(name: "LinearAlgebra", dependencies: ["BenchCore", "CPrefetch"], swiftSettings: optimised),
        /// A software prefetch (clang's builtin, which Swift cannot emit): one header, nothing to link.
        .systemLibrary(name: "CPrefetch"),
        /// Layers (dense, convolution, pooling, ReLU), softmax cross-entropy, Adam, the training loop.
        .target(name: "NeuralNetwork", dependencies: ["BenchCore", "LinearAlgebra"], swiftSettings: optimised),
        /// The IDX file format, gzip through the system zlib, SHA-256 checksums.
        .target(name: "IDXData", dependencies: ["BenchCore", "CZlib"], swiftSettings: optimised),
        .systemLibrary(name: "CZlib"),
        /// Image files (PNG through the system zlib, PGM/PPM, IDX), grey, MNIST normalisation,
        /// area resampling, deskewing and the preprocessing every classifier can ask for.
        .target(name: "Imaging", dependencies: ["BenchCore", "IDXData", "CZlib"], swiftSettings: optimised),
        /// The model file format: an archive of a fitted model's arrays in a checked envelope.
        .target(name: "ModelFile", dependencies: ["BenchCore", "IDXData", "Imaging"], swiftSettings: optimised),
        /// Folds, metrics, the run's plan of units and their records, and the report writers.
        .target(name: "Evaluation", dependencies: ["BenchCore", "IDXData", "Imaging", "ModelFile"], swiftSettings: optimised),
        /// Option parsing, the classifier registry and the run that ties everything together.
        .target(
            name: "BenchCLI",
            dependencies: ["BenchCore", "IDXData", "Imaging", "ModelFile", "Evaluation", "LinearAlgebra", "SoftmaxRegression", "KNearestNeighbors", "RandomForest", "ConvolutionalNetwork", "MultilayerPerceptron", "KernelSVM", "NeuralNetwork"],
            swiftSettings: optimised),

        // MARK: - Tests

        /// Helpers shared by the test targets: the shipped MNIST, hand-made IDX files, temp directories.
        .target(name: "TestSupport", dependencies: ["BenchCore", "IDXData", "Evaluation", "CZlib"], swiftSettings: optimised),

        .testTarget(name: "BenchCoreTests", dependencies: ["BenchCore", "TestSupport"], swiftSettings: optimised),
        .testTarget(name: "LinearAlgebraTests", dependencies: ["LinearAlgebra", "TestSupport"], swiftSettings: optimised),
        .testTarget(name: "IDXDataTests", dependencies: ["IDXData", "TestSupport"], swiftSettings: optimised),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "TestSupport"], swiftSettings: optimised),
        .testTarget(
            name: "SoftmaxRegressionTests",
            dependencies: ["SoftmaxRegression", "TestSupport"],
            swiftSettings: optimised),
        .testTarget(
            name: "KNearestNeighborsTests",
            dependencies: ["KNearestNeighbors", "TestSupport"],
            swiftSettings: optimised),
        .testTarget(name: "RandomForestTests", dependencies: ["RandomForest", "TestSupport"], swiftSettings: optimised),
        .testTarget(
            name: "NeuralNetworkTests",
            dependencies: ["NeuralNetwork", "ConvolutionalNetwork", "MultilayerPerceptron", "TestSupport"],
            swiftSettings: optimised),
        .testTarget(name: "KernelSVMTests", dependencies: ["KernelSVM", "TestSupport"], swiftSettings: optimised),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging", "TestSupport"], swiftSettings: optimised),
        .testTarget(name: "ModelFileTests", dependencies: ["ModelFile", "TestSupport"], swiftSettings: optimised),
        .testTarget(name: "BenchCLITests", dependencies: ["BenchCLI", "Imaging", "ModelFile", "TestSupport"], swiftSettings: optimised),
        /// The contract every registered classifier keeps, run over the registry.
        .testTarget(name: "ConformanceTests", dependencies: ["BenchCLI", "ModelFile", "TestSupport"], swiftSettings: optimised),

        // MARK: - Fuzzing

        /// libFuzzer harnesses of every reader of untrusted bytes (docs/hardening.md): built with
        /// `-sanitize=fuzzer,address -D FUZZING` by scripts/fuzz.sh; built as here, a replayer of
        /// saved inputs (`FuzzReaders TARGET FILE...`).
        .executableTarget(
            name: "FuzzReaders",
            dependencies: ["BenchCore", "IDXData", "Imaging", "ModelFile", "Evaluation", "BenchCLI", "CZlib", "CLibFuzzer"],
            path: "Fuzz/Harness",
            swiftSettings: optimised),
        /// libFuzzer's driver entry point, declared only: linked by `-sanitize=fuzzer`, never otherwise.
        .systemLibrary(name: "CLibFuzzer", path: "Fuzz/CLibFuzzer"),
    ],
    swiftLanguageModes: [.v6]
)
