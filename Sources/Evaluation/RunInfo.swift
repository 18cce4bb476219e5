import IDXData

/// Where and how a run happened, for every report it writes.
public struct RunInfo: Sendable {
    /// The command line as typed.
    public var command: String
    public var seed: UInt64
    public var folds: Int
    /// Differently seeded splits into folds (1: plain k-fold).
    public var repeats: Int = 1
    public var jobs: Int
    /// Training images used (after `--train-size`), and the whole training set's size.
    public var trainingCount: Int
    public var fullTrainingCount: Int
    public var testCount: Int
    /// The data directory and each file read, with its SHA-256 and whether a checksum list vouched for it.
    public var dataDirectory: String
    public var dataFiles: [(path: String, sha256: String, verified: Bool)]
    /// Package version and git commit (or "unknown").
    public var version: String
    public var commit: String
    /// Machine description: CPU model, cores, OS.
    public var machine: String
    public var cores: Int
    public var operatingSystem: String
    /// ISO 8601 date of the run.
    public var date: String

    public init(command: String, seed: UInt64, folds: Int, jobs: Int, trainingCount: Int, fullTrainingCount: Int,
                testCount: Int, dataDirectory: String, dataFiles: [(path: String, sha256: String, verified: Bool)],
                version: String, commit: String, machine: String, cores: Int, operatingSystem: String, date: String) {
        self.command = command
        self.seed = seed
        self.folds = folds
        self.jobs = jobs
        self.trainingCount = trainingCount
        self.fullTrainingCount = fullTrainingCount
        self.testCount = testCount
        self.dataDirectory = dataDirectory
        self.dataFiles = dataFiles
        self.version = version
        self.commit = commit
        self.machine = machine
        self.cores = cores
        self.operatingSystem = operatingSystem
        self.date = date
    }
}

extension RunInfo {
    /// The record of a run on `data`'s files, on the program and machine `environment` describes.
    init(command: String, seed: UInt64, folds: Int, repeats: Int, jobs: Int, trainingCount: Int, fullTrainingCount: Int,
         testCount: Int, dataDirectory: String, data: IDXDataset, environment: RunEnvironment) {
        self.init(command: command, seed: seed, folds: folds, jobs: jobs, trainingCount: trainingCount,
                  fullTrainingCount: fullTrainingCount, testCount: testCount, dataDirectory: dataDirectory,
                  dataFiles: data.files.map { ($0.path, $0.sha256, $0.verified) }, version: environment.version,
                  commit: environment.commit, machine: environment.machine, cores: environment.cores,
                  operatingSystem: environment.operatingSystem, date: environment.date)
        self.repeats = repeats
    }
}
