/// The kernel rows of one binary problem, computed a block at a time and kept within a byte
/// budget, least recently used first out.
///
/// SMO asks for two rows per iteration, K(x_i, ·) and K(x_j, ·), and the same few thousand
/// rows (the support vectors and the samples near the margin) again and again. libsvm caches
/// rows the same way but computes each missing row alone, as a matrix–vector product that
/// reads every training image from memory for one row. Here a missing row is computed together
/// with the rows the solver expects to ask for next (its most violating samples, see
/// ``SMOSolver``), so that one GEMM makes a whole block, at the GEMM's speed.
///
/// Rows used in the current iteration are never evicted: the solver calls ``beginIteration()``
/// and may then hold two rows at once.
final class KernelRowCache: KernelRowSource {
    /// Samples in the problem: the length of every row.
    let width: Int
    /// Rows the cache holds at most.
    let capacity: Int
    /// Rows computed per GEMM at most.
    let block: Int
    /// K(x_t, x_t) for every sample.
    let diagonal: [Float]

    private let storage: UnsafeMutablePointer<Float>
    private let blockBuffer: UnsafeMutablePointer<Float>
    /// Where `storage` and `blockBuffer` came from (with their sizes), to be given back.
    private let pool: RowStoragePool
    private let storageCount: Int
    private let blockBufferCount: Int
    /// Computes the rows of the listed samples into consecutive rows (stride `width`) of a buffer.
    private let computeRows: ([Int], UnsafeMutablePointer<Float>) -> Void
    private var slotOfSample: [Int32]
    private var sampleInSlot: [Int32]
    private var lastUse: [UInt64]
    private var clock: UInt64 = 1
    private var filled = 0

    /// How often a row was asked for, and how many rows were computed.
    private(set) var requests = 0
    private(set) var rowsComputed = 0
    private(set) var blocksComputed = 0

    /// Bytes the cache needs for `width`-wide rows within `budget` bytes, and the rows that fit.
    static func capacity(width: Int, budget: Int, block: Int) -> (rows: Int, block: Int) {
        let rowBytes = max(1, width) * MemoryLayout<Float>.size
        // The block buffer comes out of the budget too; at least three rows (two pinned, one
        // new), and never more than one per sample.
        let rows = min(max(1, width), max(3, budget / rowBytes - block))
        return (rows, max(1, min(block, rows - 2, width)))
    }

    /// A cache whose memory comes from `pool` (given back when the cache is released).
    init(width: Int, diagonal: [Float], budget: Int, block: Int, pool: RowStoragePool,
         computeRows: @escaping ([Int], UnsafeMutablePointer<Float>) -> Void) {
        self.width = width
        self.diagonal = diagonal
        (capacity, self.block) = Self.capacity(width: width, budget: budget, block: block)
        self.computeRows = computeRows
        self.pool = pool
        // Rows sized for the whole budget, so that every later pair's rows fit the same pages;
        // the smaller block buffers then go to blocks, the smallest that fits being taken.
        (storage, storageCount) = pool.take(capacity * max(1, width), reserving: budget / MemoryLayout<Float>.size)
        (blockBuffer, blockBufferCount) = pool.take(self.block * max(1, width))
        slotOfSample = [Int32](repeating: -1, count: width)
        sampleInSlot = [Int32](repeating: -1, count: capacity)
        lastUse = [UInt64](repeating: 0, count: capacity)
    }

    deinit {
        pool.give(storage, count: storageCount)
        pool.give(blockBuffer, count: blockBufferCount)
    }

    /// Bytes of rows computed and kept (at most the budget), with the block buffer.
    var byteCount: Int { (filled + block) * width * MemoryLayout<Float>.size }

    func beginIteration() { clock += 1 }

    /// K(x_i, x_t) for every t. On a miss, the rows of `priorities(limit:)` (most wanted first)
    /// that are not cached are computed in the same block, up to ``block`` rows in all. The
    /// list is asked for 4 × ``block`` samples first and four times more each time that many
    /// held too few uncached rows; every longer list begins with the shorter one, so the block
    /// is the one the whole list would give.
    func row(_ i: Int, priorities: (_ limit: Int) -> [Int]) -> UnsafePointer<Float> {
        requests += 1
        if slotOfSample[i] < 0 {
            var wanted = [i]
            var chosen: Set = [i]
            var limit = 4 * block, scanned = 0
            while wanted.count < block {
                let list = priorities(limit)
                for t in list[scanned...] {
                    if wanted.count == block { break }
                    if slotOfSample[t] < 0 && chosen.insert(t).inserted { wanted.append(t) }
                }
                if list.count < limit { break }
                scanned = list.count
                limit *= 4
            }
            // While the cache is filling, the block's slots are the next ones in order: the rows
            // are computed straight into them. Once it is full, into the block buffer, then
            // copied to the slots of the rows they replace.
            let direct = filled + wanted.count <= capacity
            computeRows(wanted, direct ? storage + filled * width : blockBuffer)
            rowsComputed += wanted.count
            blocksComputed += 1
            let slots = freeSlots(wanted.count)
            for (r, sample) in wanted.enumerated() {
                let slot = slots[r]
                if sampleInSlot[slot] >= 0 { slotOfSample[Int(sampleInSlot[slot])] = -1 }
                sampleInSlot[slot] = Int32(sample)
                slotOfSample[sample] = Int32(slot)
                lastUse[slot] = clock - 1   // prefetched rows count as older than any row in use
                if !direct { (storage + slot * width).update(from: blockBuffer + r * width, count: width) }
            }
        }
        let slot = Int(slotOfSample[i])
        lastUse[slot] = clock
        return UnsafePointer(storage + slot * width)
    }

    /// `count` slots to fill: empty ones first, then the least recently used, never a row used
    /// in this iteration.
    private func freeSlots(_ count: Int) -> [Int] {
        let alreadyFilled = filled
        var slots = [Int]()
        while slots.count < count && filled < capacity {
            slots.append(filled)
            filled += 1
        }
        if slots.count < count {
            let evictable = (0 ..< alreadyFilled).filter { lastUse[$0] < clock }
            let oldest = evictable.sorted { (lastUse[$0], $0) < (lastUse[$1], $1) }
            slots.append(contentsOf: oldest.prefix(count - slots.count))
        }
        return slots
    }
}
