namespace UploadGuard.ProtectionEngine.Evaluation;

/// <summary>Cheap transformations an attacker can apply to scraped images before training, to wash a perturbation out.</summary>
public enum Countermeasure
{
    /// <summary>JPEG at quality 75, 4:2:0 chroma (a common re-encode).</summary>
    Jpeg75,

    /// <summary>JPEG at quality 10, 4:2:0: heavy compression, from the ISS study's strongest setting.</summary>
    Jpeg10,

    /// <summary>Rec. 601 luma in all three channels.</summary>
    Grayscale,

    /// <summary>Half the side and back up (bilinear both ways).</summary>
    Downscale,
}
