import BenchCore
import Dispatch
import Evaluation
import Foundation
import IDXData
import Imaging
import LinearAlgebra

/// `bench --kernels`: the speed of the GEMM on the shapes the classifiers use, in GFLOP/s,
/// measured the way `shared/tools/numpy_gemm.py` measures numpy (OpenBLAS), for a
/// side-by-side figure: 1024³, and the k-NN distance product (10,000 × 784) · (784 × 60,000)
/// in blocks of 1,000 queries, each block a complete GEMM call (packing included); the SVM's
/// kernel rows, dense and leaving out A's zero steps (`measureKernelRows`). And the
/// deskewing of all 70,000 MNIST images (`preprocess=deskew`), the one image kernel a run
/// applies to every image.
enum KernelBenchmark {
    struct Measurement {
        let shape: String
        let threads: Int
        let best: Double
        let median: Double
    }

    static func run(threads allThreads: Int, out: String, progress: ProgressLog) -> Int32 {
        var measurements: [Measurement] = []
        for threads in Array(Set([1, allThreads])).sorted() {
            measurements.append(measureCube(threads: threads, progress: progress))
            measurements.append(measureNearestNeighbourShape(threads: threads, progress: progress))
        }
        var deskew: [(threads: Int, best: Double, median: Double)] = []
        if let data = try? IDXDataset.load(directory: BenchCommand.defaultDataDirectory()),
           let training = data.training.images.bytes, let test = data.test.images.bytes {
            for skipping in [false, true] {
                if let rows = measureKernelRows(training, pixels: data.training.images.width * data.training.images.height,
                                                skippingZeroSteps: skipping, progress: progress) {
                    measurements.append(rows)
                }
            }
            for threads in Array(Set([1, allThreads])).sorted() {
                deskew.append(measureDeskew(training + test, width: data.training.images.width, height: data.training.images.height,
                                            threads: threads, progress: progress))
            }
        }
        let deskewShape = "deskew 70000x28x28"
        let table = CSVTable(header: ["shape", "threads", "gflops", "median_seconds"],
                             rows: measurements.map { [$0.shape, String($0.threads), String(format: "%.1f", $0.median), ""] }
                                 + deskew.map { [deskewShape, String($0.threads), "", String(format: "%.4f", $0.median)] })
        do {
            try AtomicFile.write(table.text, to: (out as NSString).appendingPathComponent("kernels.csv"))
        } catch {
            BenchCommand.printError("Error: \(error)")
            return ExitStatus.cannotCreate
        }
        print("shape                     threads   best GFLOP/s   median GFLOP/s")
        for m in measurements {
            print(m.shape.padding(toLength: 26, withPad: " ", startingAt: 0) + String(format: "%7d   %12.1f   %14.1f", m.threads, m.best, m.median))
        }
        if !deskew.isEmpty { print("\nkernel                    threads         best s         median s") }
        for d in deskew {
            print(deskewShape.padding(toLength: 26, withPad: " ", startingAt: 0) + String(format: "%7d   %12.4f   %14.4f", d.threads, d.best, d.median))
        }
        print("wrote \((out as NSString).appendingPathComponent("kernels.csv"))")
        return ExitStatus.success
    }

    /// Runs `body` for at least half a second to warm up, then times it `repetitions` times;
    /// returns (best, median) GFLOP/s. The warm-up matters on two cores: a core left idle by
    /// the previous single-threaded measurement runs slowly for its first few milliseconds,
    /// longer than one 1024³ product takes.
    static func time(flops: Double, repetitions: Int, _ body: () -> Void) -> (Double, Double) {
        let warmUp = DispatchTime.now()
        repeat { body() } while Stopwatch.seconds(since: warmUp) < 0.5
        var seconds: [Double] = []
        for _ in 0 ..< repetitions {
            let (_, elapsed) = Stopwatch.time(body)
            seconds.append(elapsed)
        }
        seconds.sort()
        return (flops / seconds[0] / 1e9, flops / seconds[seconds.count / 2] / 1e9)
    }

    /// Seconds to deskew every image of `bytes` (best, median of 21 after a warm-up).
    static func measureDeskew(_ bytes: [UInt8], width: Int, height: Int, threads: Int,
                              progress: ProgressLog) -> (threads: Int, best: Double, median: Double) {
        let count = bytes.count / (width * height)
        progress.log("deskew \(count) images of \(height)x\(width), \(threads) thread(s)")
        var output = [UInt8](repeating: 0, count: bytes.count)
        let seconds = bytes.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { buffer in
                let destination = buffer
                let body = { Deskew.apply(bytes: source, into: destination, count: count, width: width, height: height, threads: threads) }
                let warmUp = DispatchTime.now()
                repeat { body() } while Stopwatch.seconds(since: warmUp) < 0.5
                return (0 ..< 21).map { _ in Stopwatch.time(body).1 }.sorted()
            }
        }
        return (threads, seconds[0], seconds[seconds.count / 2])
    }

    static func randomMatrix(_ count: Int, seed: UInt64) -> [Float] {
        var generator = SplitMix64(seed: seed)
        return (0 ..< count).map { _ in 2 * generator.nextUnitFloat() - 1 }
    }

    static func measureCube(threads: Int, progress: ProgressLog) -> Measurement {
        let n = 1024
        progress.log("GEMM \(n)x\(n)x\(n), \(threads) thread(s)")
        let a = randomMatrix(n * n, seed: 1), b = randomMatrix(n * n, seed: 2)
        var c = [Float](repeating: 0, count: n * n)
        let (best, median) = a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    time(flops: 2 * Double(n * n * n), repetitions: 21) {
                        sgemm(MatrixOperand(pa.baseAddress!, rows: n, columns: n), MatrixOperand(pb.baseAddress!, rows: n, columns: n),
                              into: MatrixDestination(pc.baseAddress!, rows: n, columns: n), threads: threads)
                    }
                }
            }
        }
        return Measurement(shape: "\(n)x\(n)x\(n)", threads: threads, best: best, median: median)
    }

    static func measureNearestNeighbourShape(threads: Int, progress: ProgressLog) -> Measurement {
        let (queries, features, training, block) = (10_000, 784, 60_000, 1_000)
        progress.log("GEMM \(queries)x\(features)x\(training) in blocks of \(block), \(threads) thread(s)")
        let q = randomMatrix(queries * features, seed: 3), t = randomMatrix(features * training, seed: 4)
        var c = [Float](repeating: 0, count: block * training)
        let (best, median) = q.withUnsafeBufferPointer { pq in
            t.withUnsafeBufferPointer { pt in
                c.withUnsafeMutableBufferPointer { pc in
                    time(flops: 2 * Double(queries) * Double(features) * Double(training), repetitions: 3) {
                        for start in stride(from: 0, to: queries, by: block) {
                            sgemm(MatrixOperand(pq.baseAddress! + start * features, rows: block, columns: features),
                                  MatrixOperand(pt.baseAddress!, rows: features, columns: training),
                                  into: MatrixDestination(pc.baseAddress!, rows: block, columns: training), threads: threads)
                        }
                    }
                }
            }
        }
        return Measurement(shape: "\(queries)x\(features)x\(training)", threads: threads, best: best, median: median)
    }

    /// The SVM's kernel rows: 64 training images against 12,000 (the first 12,000, packed once),
    /// over the pixels lit in any of the images used (as the SVM drops the pixels no training
    /// image lights), one thread, blocks of 64 rows in turn, as `BinaryProblem` computes them;
    /// with and without leaving out the steps where a 6-row panel of the images is zero. GFLOP/s
    /// count the dense product's multiply-adds, so the two figures compare the time. `nil` when
    /// the set has fewer than 13,280 images.
    static func measureKernelRows(_ bytes: [UInt8], pixels: Int, skippingZeroSteps: Bool, progress: ProgressLog) -> Measurement? {
        let (rows, columns, blocks) = (64, 12_000, 20)
        let count = columns + rows * blocks
        guard pixels > 0, bytes.count >= count * pixels else { return nil }
        let used = bytes.prefix(count * pixels)
        let lit = (0 ..< pixels).filter { j in (0 ..< count).contains { used[$0 * pixels + j] != 0 } }
        let depth = lit.count
        guard depth > 0 else { return nil }
        let name = "svm rows \(rows)x\(depth)x\(columns)" + (skippingZeroSteps ? " skipping" : "")
        progress.log(name)
        let images = (0 ..< count).flatMap { i in lit.map { Float(used[i * pixels + $0]) / 255 } }
        let packed = images.withUnsafeBufferPointer {
            PackedRightOperand(MatrixOperand($0.baseAddress!, rows: depth, columns: columns, transposed: true))
        }
        var c = [Float](repeating: 0, count: rows * columns)
        let (best, median) = images.withUnsafeBufferPointer { pa in
            c.withUnsafeMutableBufferPointer { pc in
                time(flops: 2 * Double(rows * depth * columns * blocks), repetitions: 5) {
                    for block in 0 ..< blocks {
                        sgemm(MatrixOperand(pa.baseAddress! + (columns + block * rows) * depth, rows: rows, columns: depth), packed,
                              into: MatrixDestination(pc.baseAddress!, rows: rows, columns: columns), skippingZeroSteps: skippingZeroSteps)
                    }
                }
            }
        }
        return Measurement(shape: name, threads: 1, best: best, median: median)
    }
}
