using UploadGuard.ProtectionEngine.Protection;

namespace UploadGuard.ProtectionEngine.Tests.Protection;

public sealed class RemovalResidueTests
{
    [Fact]
    public void A_complete_removal_leaves_nothing_of_the_applied_change()
    {
        var residue = new RemovalResidue();
        residue.Add([10, 200, 0], [18, 192, 8], [10, 200, 0]);

        Assert.Equal(3, residue.Values);
        Assert.Equal(1.0, residue.WithinOneLevel);
        Assert.Equal(1.0, residue.Exact);
        Assert.Equal(0.0, residue.AppliedLeft);
    }

    [Fact]
    public void No_removal_leaves_all_of_it_and_overshoot_counts_against_it()
    {
        var untouched = new RemovalResidue();
        untouched.Add([100, 100], [108, 92], [108, 92]);
        Assert.Equal(1.0, untouched.AppliedLeft);
        Assert.Equal(0.0, untouched.WithinOneLevel);

        var overshoot = new RemovalResidue();
        overshoot.Add(100, 108, 96);
        Assert.Equal(-0.5, overshoot.AppliedLeft);
    }

    [Fact]
    public void Values_one_level_off_are_within_one_level_but_not_exact()
    {
        var residue = new RemovalResidue();
        residue.Add([50, 50, 50, 50], [58, 58, 58, 58], [51, 49, 50, 53]);

        Assert.Equal(0.75, residue.WithinOneLevel);
        Assert.Equal(0.25, residue.Exact);
        Assert.Equal((1 - 1 + 0 + 3) / 32.0, residue.AppliedLeft, 12);
    }

    [Fact]
    public void Planes_of_different_lengths_are_refused()
    {
        var residue = new RemovalResidue();
        Assert.Throws<ArgumentException>(() => residue.Add([1, 2], [1, 2], [1]));
    }
}
