/// A step applied to every image before a classifier sees it, in fitting and in prediction
/// alike: the `preprocess` hyperparameter that every classifier has. The fitted model records
/// it (in its settings) and applies it inside `predict`, so `bench run` and `bench predict`
/// see the same pixels. The steps themselves are image operations, in the `Imaging` module.
public enum PreprocessingStep: String, CaseIterable, Sendable {
    /// The images as they are.
    case none
    /// Each image sheared so that its principal axis is vertical (`Imaging.Deskew`).
    case deskew
}

extension Hyperparameter {
    /// `preprocess`: declared once for every classifier.
    public static let preprocess = Hyperparameter(
        "preprocess", .choice(PreprocessingStep.allCases.map(\.rawValue)), default: .choice(PreprocessingStep.none.rawValue),
        help: "applied to every image before fitting and predicting: none, or deskew (shear each digit upright)")
}
