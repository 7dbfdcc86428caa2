import type { PhotoDto } from './dto/photo.dto';
import type { MediaUrls } from './storage/media-storage';

/** A photo as the database holds it: where its files are stored, not their URLs. */
export interface PhotoRecord {
  id: string;
  position: number;
  width: number;
  height: number;
  displayKey: string;
  thumbKey: string;
}

export function toPhotoDto(photo: PhotoRecord, media: MediaUrls): PhotoDto {
  return {
    id: photo.id,
    url: media.urlOf(photo.displayKey),
    thumbnailUrl: media.urlOf(photo.thumbKey),
    width: photo.width,
    height: photo.height,
    position: photo.position,
  };
}
