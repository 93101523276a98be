namespace UploadGuard.ProtectionEngine.Surrogate;

/// <summary>
/// One row of resnet18-onnx-layer-map.tsv: which ONNX initializer fills which parameter or buffer of
/// <see cref="ResNet18Surrogate"/>, with the shape it must have and, for convolution weights, the stride and the ONNX
/// pads [top, left, bottom, right] the graph applies with it.
/// </summary>
internal sealed record LayerMapEntry(string OnnxName, string StateName, IReadOnlyList<long> Shape, IReadOnlyList<long>? Stride, IReadOnlyList<long>? Pads);
