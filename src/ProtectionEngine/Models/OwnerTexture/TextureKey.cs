namespace UploadGuard.ProtectionEngine.Models.OwnerTexture;

/// <summary>What an owner's key selects in an <see cref="OwnerTextureGenerator"/> (<see cref="OwnerTextureGenerator.KeyOf"/>).</summary>
/// <param name="Code">+-1 for the chosen atoms, 0 elsewhere.</param>
/// <param name="ChannelOrder">Which of the 6 orders of the colour channels the tile takes.</param>
/// <param name="Dihedral">Which of the 8 rotations and mirrorings of the square: bit 4 transposes, bit 1 flips rows, bit 2 flips columns.</param>
public sealed record TextureKey(float[] Code, int ChannelOrder, int Dihedral);
