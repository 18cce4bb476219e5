import Foundation

/// One share of a run's units, for spreading a run over processes or cluster nodes: shard
/// `index` (from 1) of `count`.
///
/// Every shard computes the same assignment from the same plan (``assign(costs:shards:)``),
/// so shards need no coordinator: each runs its own units into its store, and `bench merge`
/// gathers the stores.
public struct Shard: Sendable, Equatable, Codable, CustomStringConvertible {
    public let index: Int
    public let count: Int

    public init?(index: Int, count: Int) {
        guard count >= 1, index >= 1, index <= count else { return nil }
        self.index = index
        self.count = count
    }

    /// "2/3".
    public var description: String { "\(index)/\(count)" }

    /// The most shards a run may be split into.
    public static let maximumCount = 10_000

    /// The shard that `--shard` names: `I/N` (1-based); `auto`, from a Slurm job array
    /// (`SLURM_ARRAY_TASK_ID` counted from `SLURM_ARRAY_TASK_MIN`, `SLURM_ARRAY_TASK_COUNT`);
    /// or `auto/N`, from a Kubernetes Indexed Job (`JOB_COMPLETION_INDEX`, from 0) with N given.
    /// - Throws: a message naming `--shard` and what was expected.
    public static func parse(_ text: String, environment: [String: String]) throws(ShardError) -> Shard {
        func integer(_ name: String) throws(ShardError) -> Int {
            guard let value = environment[name] else {
                throw ShardError("'--shard \(text)' reads \(name) from the environment, which is not set. (Use '--shard auto' inside a Slurm job array, '--shard auto/N' in a Kubernetes Indexed Job, or '--shard I/N'.)")
            }
            guard let number = Int(value.trimmingCharacters(in: .whitespaces)), number >= 0 else {
                throw ShardError("'--shard \(text)': \(name) must be a non-negative integer. Got '\(value)' instead.")
            }
            return number
        }
        func make(_ index: Int, _ count: Int, _ origin: String) throws(ShardError) -> Shard {
            guard count <= maximumCount, let shard = Shard(index: index, count: count) else {
                throw ShardError("'--shard \(text)': \(origin) gives shard \(index) of \(count); expected 1 ≤ I ≤ N ≤ \(maximumCount).")
            }
            return shard
        }
        if text == "auto" {
            let id = try integer("SLURM_ARRAY_TASK_ID")
            let count = try integer("SLURM_ARRAY_TASK_COUNT")
            let minimum = environment["SLURM_ARRAY_TASK_MIN"] == nil ? 0 : try integer("SLURM_ARRAY_TASK_MIN")
            return try make(id - minimum + 1, count, "SLURM_ARRAY_TASK_ID=\(id) (from SLURM_ARRAY_TASK_MIN=\(minimum)) of SLURM_ARRAY_TASK_COUNT=\(count)")
        }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, let count = Int(parts[1]) else {
            throw ShardError("The value of '--shard' must be I/N (1 ≤ I ≤ N), auto (a Slurm job array) or auto/N (a Kubernetes Indexed Job). Got '\(text)' instead.")
        }
        if parts[0] == "auto" {
            return try make(try integer("JOB_COMPLETION_INDEX") + 1, count, "JOB_COMPLETION_INDEX=\(environment["JOB_COMPLETION_INDEX"] ?? "")")
        }
        guard let index = Int(parts[0]) else {
            throw ShardError("The value of '--shard' must be I/N (1 ≤ I ≤ N), auto or auto/N. Got '\(text)' instead.")
        }
        return try make(index, count, "'\(text)'")
    }

    /// The shard (from 0) of each unit: the longest-processing-time-first rule (Graham 1969):
    /// units in decreasing estimated cost, each to the shard with the least estimated work so
    /// far, ties to the earlier unit and to the shard with fewer units, then the lower. Within 4/3 of the best possible
    /// balance, and deterministic: it depends on the costs alone. Costs are rounded to
    /// milliseconds first so that the last bits of a floating-point estimate cannot make two
    /// machines disagree.
    public static func assign(costs: [Double], shards: Int) -> [Int] {
        let rounded = costs.map { ($0 * 1000).rounded() / 1000 }
        let order = rounded.indices.sorted { rounded[$0] != rounded[$1] ? rounded[$0] > rounded[$1] : $0 < $1 }
        var load = [Double](repeating: 0, count: max(1, shards))
        var units = [Int](repeating: 0, count: max(1, shards))
        var owner = [Int](repeating: 0, count: costs.count)
        for unit in order {
            // The least loaded shard; among equal loads (units too cheap to measure), the one
            // with fewest units, then the lower.
            var best = 0
            for s in load.indices where (load[s], units[s]) < (load[best], units[best]) { best = s }
            owner[unit] = best
            load[best] += rounded[unit]
            units[best] += 1
        }
        return owner
    }
}

/// A `--shard` value that names no shard.
public struct ShardError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
