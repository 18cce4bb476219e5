/// The size of one unit of work, for estimating what it costs before running it.
public struct WorkSize: Sendable, Equatable {
    /// Images the model is fitted on, and images it then scores.
    public var training: Int
    public var scoring: Int
    /// Pixels per image, and classes.
    public var pixels: Int
    public var classes: Int

    public init(training: Int, scoring: Int, pixels: Int, classes: Int) {
        self.training = training
        self.scoring = scoring
        self.pixels = pixels
        self.classes = classes
    }

    /// Training images relative to MNIST's 60,000, scored images relative to its 10,000, and
    /// pixels relative to its 784: the scales the estimates below are measured at.
    public var trainingScale: Double { Double(training) / 60_000 }
    public var scoringScale: Double { Double(scoring) / 10_000 }
    public var pixelScale: Double { Double(pixels) / 784 }
}

extension Classifier {
    /// A rough estimate of a unit's seconds on two cores: enough to spread units evenly over
    /// shards and to estimate the time left in a run's progress lines; it never changes a
    /// result. Each classifier states its own from its measured full-MNIST figures; this
    /// default is linear in the images and pixels.
    public func estimatedSeconds(_ work: WorkSize) -> Double {
        work.pixelScale * (work.trainingScale + 0.2 * work.scoringScale)
    }
}
