import BenchCore

/// Kernel values between an image and every training image of its own class, K(x_i, X_c) for
/// x_i in class c, shared by the pairs of classes that contain c.
///
/// In the problem of classes a and b, the kernel row of an image of class a is two pieces:
/// its values against class a and against class b. The first piece is the same in all nine
/// pairs that contain a, and an image that is a support vector in one of them is usually one in
/// several (on MNIST, each support vector serves 4.7 pairs on average). So the pairs keep these
/// pieces here, within a byte budget, and a pair that finds one copies it instead of computing
/// it: about a third fewer kernel values to compute in a fit.
///
/// Values do not depend on which pair computed them (the GEMM sums every element in the same
/// order whatever the block), so sharing changes the speed and never the model.
///
/// Eviction is CLOCK (second chance), an O(1) approximation of least-recently-used: a slot
/// that was read since the hand last passed keeps its place once more.
final class OwnClassRows: @unchecked Sendable {
    // @unchecked: every mutable property below is read and written only while holding `lock`.
    /// Floats per slot: the largest class.
    let slotWidth: Int
    /// Slots held at most.
    let capacity: Int
    private let lock = Locked<Void>(())
    private let storage: UnsafeMutablePointer<Float>
    private var slotOfImage: [Int32]
    private var imageInSlot: [Int32]
    private var referenced: [Bool]
    private var filled = 0
    private var hand = 0
    private var hits = 0
    private var stored = 0

    /// A store for `images` training images whose largest class has `slotWidth` images, in
    /// `budget` bytes (none at all if a single slot does not fit).
    init(images: Int, slotWidth: Int, budget: Int) {
        self.slotWidth = max(1, slotWidth)
        capacity = min(images, budget / (self.slotWidth * MemoryLayout<Float>.size))
        storage = .allocate(capacity: max(1, capacity * self.slotWidth))
        slotOfImage = [Int32](repeating: -1, count: images)
        imageInSlot = [Int32](repeating: -1, count: capacity)
        referenced = [Bool](repeating: false, count: capacity)
    }

    deinit { storage.deallocate() }

    /// Copies the `count` values stored for `image` into `destination`; false if not stored.
    func copy(_ image: Int, count: Int, into destination: UnsafeMutablePointer<Float>) -> Bool {
        lock.withLock { _ in
            let slot = Int(slotOfImage[image])
            guard slot >= 0 else { return false }
            destination.update(from: storage + slot * slotWidth, count: count)
            referenced[slot] = true
            hits += 1
            return true
        }
    }

    /// Stores the `count` values of `image` (replacing the oldest unreferenced slot when full).
    func store(_ image: Int, count: Int, from source: UnsafePointer<Float>) {
        guard capacity > 0 else { return }
        lock.withLock { _ in
            guard slotOfImage[image] < 0 else { return }   // another pair stored it meanwhile
            let slot: Int
            if filled < capacity {
                slot = filled
                filled += 1
            } else {
                while referenced[hand] {
                    referenced[hand] = false
                    hand = (hand + 1) % capacity
                }
                slot = hand
                hand = (hand + 1) % capacity
                slotOfImage[Int(imageInSlot[slot])] = -1
            }
            imageInSlot[slot] = Int32(image)
            slotOfImage[image] = Int32(slot)
            referenced[slot] = false
            (storage + slot * slotWidth).update(from: source, count: count)
            stored += 1
        }
    }

    /// Pieces copied out, pieces stored, and the bytes in use.
    var statistics: (hits: Int, stored: Int, bytes: Int) {
        lock.withLock { _ in (hits, stored, filled * slotWidth * MemoryLayout<Float>.size) }
    }
}
