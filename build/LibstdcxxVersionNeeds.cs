// Compiled twice: by MSBuild's RoslynCodeTaskFactory (Directory.Build.targets) as a build task, and by the
// engine tests (with UPLOADGUARD_NO_MSBUILD) to check the ELF logic itself. Keep it dependency-free.
#nullable enable
#pragma warning disable CA1050 // MSBuild inline tasks are looked up by simple name in the global namespace.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

/// <summary>
/// libLibTorchSharp.so is linked with GCC 13 and so asks for GLIBCXX_3.4.32, whose only symbol
/// (std::ios_base_library_init) is a link-time anchor that is never called. Older libstdc++ (Debian 12)
/// stops at 3.4.30, and the loader refuses the library. Marking that one version need VER_FLG_WEAK
/// lets the loader accept it. We only touch a need the system library really lacks.
/// </summary>
public static class LibstdcxxVersionNeeds
{
    private const uint ShtGnuVerdef = 0x6ffffffd;
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlagWeak = 0x2;

    private static readonly string[] LibstdcxxCandidates =
    {
        "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
        "/usr/lib64/libstdc++.so.6",
        "/usr/lib/libstdc++.so.6",
    };

    /// <summary>The system libstdc++ the dynamic loader will pick, or null when none is found.</summary>
    public static string? FindSystemLibstdcxx() => LibstdcxxCandidates.FirstOrDefault(File.Exists);

    /// <summary>Version names a shared library defines (its .gnu.version_d section).</summary>
    public static HashSet<string> DefinedVersions(byte[] elf)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        foreach (var section in Sections(elf).Where(s => s.Type == ShtGnuVerdef))
        {
            var strtab = Sections(elf)[(int)section.Link];
            long entry = section.Offset;
            for (int i = 0; i < section.Info; i++)
            {
                uint aux = U32(elf, entry + 12);
                uint next = U32(elf, entry + 16);
                result.Add(ReadString(elf, strtab.Offset + U32(elf, entry + aux)));
                if (next == 0) break;
                entry += next;
            }
        }
        return result;
    }

    /// <summary>Each version need of a library with its flags: (file, version, flags, offset of the flags field).</summary>
    public static List<(string File, string Version, ushort Flags, long FlagsOffset)> VersionNeeds(byte[] elf)
    {
        var result = new List<(string, string, ushort, long)>();
        foreach (var section in Sections(elf).Where(s => s.Type == ShtGnuVerneed))
        {
            var strtab = Sections(elf)[(int)section.Link];
            long need = section.Offset;
            for (int i = 0; i < section.Info; i++)
            {
                ushort count = U16(elf, need + 2);
                string file = ReadString(elf, strtab.Offset + U32(elf, need + 4));
                long aux = need + U32(elf, need + 8);
                for (int j = 0; j < count; j++)
                {
                    string version = ReadString(elf, strtab.Offset + U32(elf, aux + 8));
                    result.Add((file, version, U16(elf, aux + 4), aux + 4));
                    uint auxNext = U32(elf, aux + 12);
                    if (auxNext == 0) break;
                    aux += auxNext;
                }
                uint next = U32(elf, need + 12);
                if (next == 0) break;
                need += next;
            }
        }
        return result;
    }

    /// <summary>
    /// Marks each of <paramref name="versions"/> that <paramref name="library"/> needs from libstdc++ and that
    /// <paramref name="definedBySystem"/> lacks as a weak need. Returns the versions it marked (empty: file untouched).
    /// </summary>
    public static List<string> WeakenMissing(string library, IEnumerable<string> versions, ISet<string> definedBySystem)
    {
        byte[] elf = File.ReadAllBytes(library);
        var wanted = new HashSet<string>(versions.Where(v => !definedBySystem.Contains(v)), StringComparer.Ordinal);
        var changed = new List<string>();
        foreach (var need in VersionNeeds(elf))
        {
            if (!need.File.StartsWith("libstdc++", StringComparison.Ordinal) || !wanted.Contains(need.Version)) continue;
            if ((need.Flags & VerFlagWeak) != 0) continue;
            ushort flags = (ushort)(need.Flags | VerFlagWeak);
            elf[need.FlagsOffset] = (byte)flags;
            elf[need.FlagsOffset + 1] = (byte)(flags >> 8);
            changed.Add(need.Version);
        }
        if (changed.Count > 0)
        {
            // Write through a temporary file so an interrupted build never leaves a half-written library.
            string temp = library + ".weaken.tmp";
            File.WriteAllBytes(temp, elf);
            File.Replace(temp, library, null);
        }
        return changed;
    }

    private readonly struct Section
    {
        public Section(uint type, long offset, long size, uint link, uint info)
        {
            Type = type;
            Offset = offset;
            Size = size;
            Link = link;
            Info = info;
        }

        public uint Type { get; }
        public long Offset { get; }
        public long Size { get; }
        public uint Link { get; }
        public uint Info { get; }
    }

    private static List<Section> Sections(byte[] elf)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException("only little-endian ELF64 is supported");
        long shoff = (long)U64(elf, 0x28);
        ushort shentsize = U16(elf, 0x3A);
        ushort shnum = U16(elf, 0x3C);
        var sections = new List<Section>(shnum);
        for (int i = 0; i < shnum; i++)
        {
            long h = shoff + (long)i * shentsize;
            sections.Add(new Section(U32(elf, h + 4), (long)U64(elf, h + 24), (long)U64(elf, h + 32), U32(elf, h + 40), U32(elf, h + 44)));
        }
        return sections;
    }

    private static ushort U16(byte[] b, long o) => BitConverter.ToUInt16(b, checked((int)o));
    private static uint U32(byte[] b, long o) => BitConverter.ToUInt32(b, checked((int)o));
    private static ulong U64(byte[] b, long o) => BitConverter.ToUInt64(b, checked((int)o));

    private static string ReadString(byte[] b, long o)
    {
        int start = checked((int)o);
        int end = Array.IndexOf(b, (byte)0, start);
        return Encoding.ASCII.GetString(b, start, end - start);
    }
}

#if !UPLOADGUARD_NO_MSBUILD
/// <summary>MSBuild task: weakens the libstdc++ version needs of the copied native libraries that this system lacks.</summary>
public sealed class WeakenMissingLibstdcxxVersions : Microsoft.Build.Utilities.Task
{
    [Microsoft.Build.Framework.Required]
    public Microsoft.Build.Framework.ITaskItem[] Libraries { get; set; } = Array.Empty<Microsoft.Build.Framework.ITaskItem>();

    [Microsoft.Build.Framework.Required]
    public string[] Versions { get; set; } = Array.Empty<string>();

    public override bool Execute()
    {
        string? system = LibstdcxxVersionNeeds.FindSystemLibstdcxx();
        if (system is null)
        {
            Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low, "No system libstdc++ found; native libraries left as they are.");
            return true;
        }
        var defined = LibstdcxxVersionNeeds.DefinedVersions(File.ReadAllBytes(system));
        foreach (var item in Libraries)
        {
            var changed = LibstdcxxVersionNeeds.WeakenMissing(item.ItemSpec, Versions, defined);
            if (changed.Count > 0)
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.High,
                    $"{item.ItemSpec}: marked {string.Join(", ", changed)} weak ({system} lacks it)");
        }
        return true;
    }
}
#endif
