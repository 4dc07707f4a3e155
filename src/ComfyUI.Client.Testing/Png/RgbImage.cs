namespace ComfyUI.Client.Testing.Png;

/// <summary>An 8-bit RGBA image held in memory (row-major, 4 bytes a pixel).</summary>
internal sealed class RgbImage
{
    public RgbImage(int width, int height)
    {
        Width = width;
        Height = height;
        Pixels = new byte[checked(width * height * 4)];
    }

    public int Width { get; }

    public int Height { get; }

    public byte[] Pixels { get; }

    public void Set(int x, int y, byte r, byte g, byte b, byte a = 255)
    {
        var i = ((y * Width) + x) * 4;
        Pixels[i] = r;
        Pixels[i + 1] = g;
        Pixels[i + 2] = b;
        Pixels[i + 3] = a;
    }

    public RgbImage Clone()
    {
        var copy = new RgbImage(Width, Height);
        Pixels.CopyTo(copy.Pixels, 0);
        return copy;
    }
}
