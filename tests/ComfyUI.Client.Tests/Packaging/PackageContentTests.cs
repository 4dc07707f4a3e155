using System.IO.Compression;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace ComfyUI.Client.Tests.Packaging;

/// <summary>
/// What users get from NuGet: each package carries its own README (absolute links), the icon, the license, release notes and a
/// symbol package; the libraries carry XML docs for every target framework and the right dependencies per framework; the tool runs
/// on the base .NET 8 and .NET 10 runtimes (no ASP.NET Core).
/// </summary>
[Collection(nameof(PackagingCollection))]
public sealed partial class PackageContentTests(PackedPackages packages) : IClassFixture<PackedPackages>
{
    private static readonly string[] LibraryFrameworks = ["net8.0", "net10.0"];

    [Fact]
    public void The_three_packages_are_made()
    {
        Assert.Superset(new HashSet<string>(["ComfyUI.Client", "ComfyUI.Client.Testing", "ComfyUI.Client.Cli"]), packages.Ids.ToHashSet());
    }

    [Fact]
    public void Every_package_has_its_own_readme_with_absolute_links_an_icon_a_license_release_notes_and_symbols()
    {
        foreach (var id in packages.Ids)
        {
            using var package = packages.Open(id);
            var nuspec = Nuspec(package);
            var readme = Text(package, "README.md");
            var project = Path.Combine(Repository.Root, "src", id, "PACKAGE.md");

            Assert.Equal("README.md", Metadata(nuspec, "readme"));
            Assert.Equal(File.ReadAllText(project).ReplaceLineEndings(), readme.ReplaceLineEndings());
            Assert.Empty(RelativeLinks().Matches(readme).Select(m => id + ": " + m.Value));
            Assert.Equal("icon.png", Metadata(nuspec, "icon"));
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], Bytes(package, "icon.png")[..4]);
            Assert.NotNull(package.GetEntry("LICENSE"));
            Assert.Contains("CHANGELOG.md", Metadata(nuspec, "releaseNotes"), StringComparison.Ordinal);
            Assert.True(Metadata(nuspec, "releaseNotes")!.Length > 200, id + ": the release notes carry the changelog section");

            using var symbols = packages.Open(id, ".snupkg");
            var ownAssemblies = package.Entries.Select(e => e.FullName).Where(n => n.EndsWith(".dll", StringComparison.Ordinal) && IsOwn(n)).ToList();
            Assert.NotEmpty(ownAssemblies);
            foreach (var assembly in ownAssemblies)
            {
                // A PDB in the symbol package, or (the typed-node generator, packed outside lib/) embedded in the DLL.
                Assert.True(
                    symbols.GetEntry(Path.ChangeExtension(assembly, ".pdb")) is not null || HasEmbeddedPdb(Bytes(package, assembly)),
                    $"{id}: no symbols for {assembly}");
            }
        }
    }

    private static bool HasEmbeddedPdb(byte[] assembly)
    {
        using var reader = new System.Reflection.PortableExecutable.PEReader(new MemoryStream(assembly));
        return reader.ReadDebugDirectory().Any(e => e.Type == System.Reflection.PortableExecutable.DebugDirectoryEntryType.EmbeddedPortablePdb);
    }

    [Theory]
    [InlineData("ComfyUI.Client")]
    [InlineData("ComfyUI.Client.Testing")]
    public void The_libraries_carry_xml_docs_for_every_framework(string id)
    {
        using var package = packages.Open(id);
        foreach (var framework in LibraryFrameworks)
        {
            Assert.NotNull(package.GetEntry($"lib/{framework}/{id}.dll"));
            var docs = XDocument.Parse(Text(package, $"lib/{framework}/{id}.xml"));
            var members = docs.Descendants("member").Select(m => (string?)m.Attribute("name")).ToHashSet();
            Assert.Contains(id == "ComfyUI.Client" ? "T:ComfyUI.Client.ComfyUIClient" : "T:ComfyUI.Client.Testing.FakeComfyUIServer", members);
            Assert.True(members.Count > (id == "ComfyUI.Client" ? 500 : 20), $"{id} {framework}: {members.Count} documented members");
        }
    }

    [Fact]
    public void The_sdk_depends_only_on_microsoft_extensions_of_its_framework()
    {
        using var package = packages.Open("ComfyUI.Client");
        var groups = DependencyGroups(Nuspec(package));

        Assert.Equal(LibraryFrameworks.Order(), groups.Keys.Order());
        foreach (var (framework, dependencies) in groups)
        {
            var major = framework == "net8.0" ? "8." : "10.";
            Assert.Contains("Microsoft.Extensions.Http", dependencies.Keys);
            Assert.All(dependencies.Keys, d => Assert.StartsWith("Microsoft.Extensions.", d, StringComparison.Ordinal)); // no Polly: not AOT-safe
            Assert.All(dependencies.Where(d => d.Key.StartsWith("Microsoft.Extensions.", StringComparison.Ordinal)),
                d => Assert.True(d.Value.StartsWith(major, StringComparison.Ordinal), $"{framework}: {d.Key} {d.Value}"));
            Assert.DoesNotContain(dependencies.Keys, d => d.Contains("Testing", StringComparison.Ordinal) || d.StartsWith("xunit", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void The_testing_package_references_asp_net_core_as_a_framework_for_every_framework()
    {
        using var package = packages.Open("ComfyUI.Client.Testing");
        var frameworkReferences = Nuspec(package).Descendants().Where(e => e.Name.LocalName == "frameworkReference")
            .Select(e => ((string?)e.Parent!.Attribute("targetFramework"), (string?)e.Attribute("name"))).ToList();

        Assert.Equal(LibraryFrameworks.Order().Select(f => ((string?)f, (string?)"Microsoft.AspNetCore.App")), frameworkReferences.OrderBy(r => r.Item1));
    }

    [Fact]
    public void The_tool_runs_on_the_base_net8_and_net10_runtimes_without_asp_net_core()
    {
        using var package = packages.Open("ComfyUI.Client.Cli");
        var nuspec = Nuspec(package);

        Assert.Contains(nuspec.Descendants().Where(e => e.Name.LocalName == "packageType"), e => (string?)e.Attribute("name") == "DotnetTool");
        Assert.DoesNotContain(nuspec.Descendants(), e => e.Name.LocalName == "dependency");
        foreach (var framework in LibraryFrameworks)
        {
            var folder = $"tools/{framework}/any/";
            Assert.NotNull(package.GetEntry(folder + "comfyui.dll"));
            Assert.NotNull(package.GetEntry(folder + "DotnetToolSettings.xml"));
            Assert.Null(package.GetEntry(folder + "ComfyUI.Client.Testing.dll"));
            using var config = JsonDocument.Parse(Text(package, folder + "comfyui.runtimeconfig.json"));
            var options = config.RootElement.GetProperty("runtimeOptions");
            var frameworks = options.TryGetProperty("frameworks", out var many) ? many.EnumerateArray().ToList() : [options.GetProperty("framework")];
            var only = Assert.Single(frameworks);
            Assert.Equal("Microsoft.NETCore.App", only.GetProperty("name").GetString());
            Assert.StartsWith(framework == "net8.0" ? "8." : "10.", only.GetProperty("version").GetString(), StringComparison.Ordinal);
            Assert.DoesNotContain("AspNetCore", Text(package, folder + "comfyui.deps.json"), StringComparison.Ordinal);
        }
    }

    private static bool IsOwn(string entry)
    {
        var name = Path.GetFileName(entry);
        return name.StartsWith("ComfyUI.Client", StringComparison.Ordinal) || name == "comfyui.dll";
    }

    private static XDocument Nuspec(ZipArchive package) =>
        XDocument.Parse(Text(package, Assert.Single(package.Entries, e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).FullName));

    private static string? Metadata(XDocument nuspec, string name) =>
        nuspec.Root!.Elements().Single(e => e.Name.LocalName == "metadata").Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value;

    private static Dictionary<string, Dictionary<string, string>> DependencyGroups(XDocument nuspec) =>
        nuspec.Descendants().Where(e => e.Name.LocalName == "group" && e.Parent!.Name.LocalName == "dependencies").ToDictionary(
            g => (string)g.Attribute("targetFramework")!,
            g => g.Elements().ToDictionary(d => (string)d.Attribute("id")!, d => (string)d.Attribute("version")!));

    private static string Text(ZipArchive package, string entry)
    {
        using var reader = new StreamReader(Assert.IsType<ZipArchiveEntry>(package.GetEntry(entry), exactMatch: false).Open());
        return reader.ReadToEnd();
    }

    private static byte[] Bytes(ZipArchive package, string entry)
    {
        using var stream = package.GetEntry(entry)!.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    // A Markdown link or image whose target is not an absolute http(s) URL: it would not resolve on nuget.org.
    [GeneratedRegex(@"\]\((?!https?://)[^)]*\)")]
    private static partial Regex RelativeLinks();
}

/// <summary>
/// Packing is a full Release build: it runs alone, after the parallel tests, so its CPU load does not slow the tests that wait on
/// deadlines.
/// </summary>
[CollectionDefinition(nameof(PackagingCollection), DisableParallelization = true)]
public sealed class PackagingCollection;
